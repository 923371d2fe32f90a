/// One parameter of a command, declared once: checking, `help` and completion come from it.
public struct Parameter {
    public var name: String
    public var type: ParameterType
    /// Used when the argument is not given; `nil` with `isRequired == false` means "absent".
    public var defaultValue: Value?
    public var isRequired: Bool
    /// Positional parameters come first in a call, in declaration order; all can also be given by name.
    public var isPositional: Bool
    /// A positional parameter that collects all remaining positional arguments into a list.
    public var isVariadic: Bool
    public var help: String

    public init(name: String, type: ParameterType, defaultValue: Value? = nil, isRequired: Bool = false,
                isPositional: Bool = false, isVariadic: Bool = false, help: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.isRequired = isRequired
        self.isPositional = isPositional
        self.isVariadic = isVariadic
        self.help = help
    }

    /// A positional parameter (`train m d`), required unless it has a default.
    public static func positional(_ name: String, _ type: ParameterType, default defaultValue: Value? = nil,
                                  optional: Bool = false, help: String) -> Parameter {
        Parameter(name: name, type: type, defaultValue: defaultValue, isRequired: defaultValue == nil && !optional,
                  isPositional: true, help: help)
    }

    /// The remaining positional arguments, collected into a list (`compare run1 run2 …`); at
    /// least one is required. Each is checked against `element`.
    public static func variadic(_ name: String, _ element: ParameterType, help: String) -> Parameter {
        Parameter(name: name, type: element, isRequired: true, isPositional: true, isVariadic: true, help: help)
    }

    /// A `key=value` parameter with a default (`epochs=10`), or optional with none (`to="FILE"`).
    public static func option(_ name: String, _ type: ParameterType, default defaultValue: Value? = nil,
                              help: String) -> Parameter {
        Parameter(name: name, type: type, defaultValue: defaultValue, help: help)
    }

    /// The default as `help` writes it: choices bare (`sgd`), other values as literals.
    public var defaultText: String? {
        guard let value = defaultValue else { return nil }
        if case .string(let word) = value, type.choices.contains(word) { return word }
        return value.literal
    }

    /// A boolean that is false unless named bare (`flip_h`) or given as `flip_h=true`.
    public static func flag(_ name: String, default defaultValue: Bool = false, help: String) -> Parameter {
        Parameter(name: name, type: .bool, defaultValue: .bool(defaultValue), help: help)
    }
}

/// A command: its name, parameters, help and implementation.
public struct CommandSpec {
    public var name: String
    /// The task heading `help` lists it under ("Data", "Models", "Session").
    public var group: String
    /// One line for the command list.
    public var summary: String
    public var parameters: [Parameter]
    /// What the command returns, for `help NAME` ("a dataset", "nothing").
    public var result: String
    /// A line that runs as written.
    public var example: String
    /// Whether the statement goes into `history` and `save_session` (not for `help`, `vars`, …).
    public var recordsInHistory: Bool
    public var run: (CommandInvocation) throws -> Value

    public init(name: String, group: String, summary: String, parameters: [Parameter] = [], result: String,
                example: String, recordsInHistory: Bool = true, run: @escaping (CommandInvocation) throws -> Value) {
        self.name = name
        self.group = group
        self.summary = summary
        self.parameters = parameters
        self.result = result
        self.example = example
        self.recordsInHistory = recordsInHistory
        self.run = run
    }

    public func parameter(named name: String) -> Parameter? {
        parameters.first { $0.name == name }
    }

    /// `train MODEL DATASET [epochs=integer] …`, as `help` prints it.
    public var usage: String {
        var parts = [name]
        for p in parameters {
            if p.isVariadic {
                parts.append("\(p.name.uppercased())...")
            } else if p.isPositional {
                parts.append(p.isRequired ? p.name.uppercased() : "[\(p.name.uppercased())]")
            } else if p.type == .bool {
                parts.append("[\(p.name)]")
            } else {
                let value = p.defaultText ?? p.type.shortName
                parts.append("[\(p.name)=\(value)]")
            }
        }
        return parts.joined(separator: " ")
    }
}

/// Documentation of a value kind for `help KIND` (attributes with one line each).
public struct KindDoc {
    public var kind: String
    public var summary: String
    public var attributes: [(name: String, help: String)]

    public init(kind: String, summary: String, attributes: [(name: String, help: String)]) {
        self.kind = kind
        self.summary = summary
        self.attributes = attributes
    }
}
