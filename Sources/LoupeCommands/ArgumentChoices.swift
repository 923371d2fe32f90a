import LoupeLang

/// Choice parameters declared from the enums they select, and read back as those enums: the
/// words a user may type are the cases' raw values, never a second list that can drift.
extension ParameterType {
    static func choice<E: CaseIterable & RawRepresentable>(of _: E.Type) -> ParameterType where E.RawValue == String {
        .choice(E.allCases.map(\.rawValue))
    }
}

extension Arguments {
    /// The case named by the argument `name` (the parser already checked it is one of them).
    func choice<E: CaseIterable & RawRepresentable>(_ name: String, as _: E.Type) throws -> E where E.RawValue == String {
        let text = try string(name)
        guard let value = E(rawValue: text) else {
            throw CommandError.invalidArgument(parameter: name, message: "must be one of \(E.allCases.map(\.rawValue).joined(separator: ", ")), got \(text)")
        }
        return value
    }
}
