/// Every command a session knows, declared once.
///
/// LoupeLang registers the session commands (`seed`, `help`, `sleep`, …); LoupeCommands adds
/// the domain commands (`dataset`, `train`, …) and documents their value kinds.
public struct CommandRegistry {
    public private(set) var commands: [String: CommandSpec] = [:]
    public private(set) var kinds: [String: KindDoc] = [:]
    /// Group names in the order `help` lists them (first registration order).
    public private(set) var groupOrder: [String] = []

    /// An empty registry.
    public init() {}

    /// A registry with the session commands of LoupeLang.
    public static func standard() -> CommandRegistry {
        var registry = CommandRegistry()
        registry.registerSessionCommands()
        return registry
    }

    /// Adds a command; a later registration of the same name replaces the earlier one.
    public mutating func register(_ command: CommandSpec) {
        commands[command.name] = command
        if !groupOrder.contains(command.group) { groupOrder.append(command.group) }
    }

    /// Documents a value kind for `help KIND`.
    public mutating func registerKind(_ doc: KindDoc) {
        kinds[doc.kind] = doc
    }

    public subscript(name: String) -> CommandSpec? { commands[name] }

    public var commandNames: Set<String> { Set(commands.keys) }

    /// Commands of a group, alphabetically.
    public func commands(inGroup group: String) -> [CommandSpec] {
        commands.values.filter { $0.group == group }.sorted { $0.name < $1.name }
    }
}
