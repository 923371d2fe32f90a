import LoupeLang
import Datasets

extension DataCommands {
    /// The numeric settings of `augment`, with the help each shows.
    static var augmentNumbers: [(name: String, help: String, key: WritableKeyPath<AugmentationSettings, Double>)] { [
        ("rotate", "rotate by up to ±DEG degrees", \.rotate),
        ("zoom", "scale by 1±F", \.zoom),
        ("translate", "shift by up to ±F of the size", \.translate),
        ("shear", "shear by up to ±DEG degrees", \.shear),
        ("crop", "random resized crop keeping 1−F…100% of the area", \.crop),
        ("brightness", "multiply brightness by 1±F", \.brightness),
        ("contrast", "change contrast by 1±F", \.contrast),
        ("saturation", "change saturation by 1±F", \.saturation),
        ("hue", "shift hue by up to ±F of the colour circle", \.hue),
        ("noise", "Gaussian noise of standard deviation F (pixels 0…1)", \.noise),
        ("blur", "Gaussian blur with sigma up to SIGMA pixels", \.blur),
        ("erase", "probability of blanking one random rectangle", \.erase),
    ] }
    static var augmentFlags: [(name: String, help: String, key: WritableKeyPath<AugmentationSettings, Bool>)] { [
        ("flip_h", "mirror left-right half the time", \.flipH),
        ("flip_v", "flip upside down half the time", \.flipV),
        ("rotate90", "turn by a random multiple of 90°", \.rotate90),
    ] }

    static var augmentCommand: CommandSpec {
        var parameters: [Parameter] = [
            .positional("d", .kind("dataset"), help: "the dataset; its training images are augmented"),
            .positional("none", .choice(["none"]), optional: true, help: "write none (augment d none) to clear the augmentation"),
        ]
        parameters += augmentFlags.map { Parameter.flag($0.name, help: $0.help) }
        parameters += augmentNumbers.map { Parameter.option($0.name, .number, help: $0.help) }
        parameters.append(.option("originals", .number, default: .number(0.2), help: "share of training images left untouched"))
        return CommandSpec(
            name: "augment", group: group,
            summary: "set the training-time augmentation (never used for validation, test or prediction); warns about risky settings",
            parameters: parameters,
            result: "nothing; prints the settings and warnings. With no settings it shows the current ones",
            example: "augment d flip_h rotate=10 zoom=0.1 brightness=0.2"
        ) { call in try augmentDataset(call) }
    }

    static func augmentDataset(_ call: CommandInvocation) throws -> Value {
        let value = try call.arguments.object("d", as: DatasetValue.self)
        if let s = value.subset {
            throw CommandError.invalidArgument(parameter: "d", message: "this is the \(s.rawValue) split; augment the whole dataset (augment d …): only its training images are augmented")
        }
        let settingNames = augmentFlags.map(\.name) + augmentNumbers.map(\.name) + ["originals"]
        let given = settingNames.filter { call.arguments.isGiven($0) }
        if call.arguments.isGiven("none") {
            if let first = given.first {
                throw CommandError.invalidArgument(parameter: first, message: "'augment d none' clears the augmentation; leave out none to set \(first)")
            }
            value.dataset.augmentation = nil
            call.write("augmentation: none (training images are only resized)")
            return .none
        }
        guard !given.isEmpty else {
            call.write("augmentation: " + (value.dataset.augmentation.map(settingsLine) ?? "none"))
            return .none
        }
        var settings = AugmentationSettings()
        for f in augmentFlags { settings[keyPath: f.key] = try call.arguments.bool(f.name) }
        for n in augmentNumbers where call.arguments[n.name] != nil { settings[keyPath: n.key] = try call.arguments.number(n.name) }
        settings.originals = try call.arguments.number("originals")
        try translatingErrors { try settings.validate() }

        let d = value.dataset
        let size = d.size ?? ImageSize(width: 224, height: 224)
        let warnings = settings.isIdentity ? [] : settings.warnings(for: d, inputWidth: size.width, inputHeight: size.height,
                                                                    seed: seed(call.session, for: .warnings))
        value.dataset.augmentation = settings.isIdentity ? nil : settings
        call.write("augmentation: " + (settings.isIdentity ? "none (no transform given)" : settingsLine(settings)))
        for w in warnings { call.warn("\(w.parameter): \(w.message)") }
        return .none
    }

    /// "flip_h, rotate=10, zoom=0.1; originals 20%".
    static func settingsLine(_ s: AugmentationSettings) -> String {
        let pairs = settingPairs(s)
        let transforms = pairs.dropLast().map { $0.1 == "on" ? $0.0 : "\($0.0)=\($0.1)" }
        return transforms.joined(separator: ", ") + "; originals \(share(s.originals))"
    }

    /// Enabled settings as (name, value) pairs, `originals` last.
    static func settingPairs(_ s: AugmentationSettings) -> [(String, String)] {
        var pairs = augmentFlags.filter { s[keyPath: $0.key] }.map { ($0.name, "on") }
        pairs += augmentNumbers.filter { s[keyPath: $0.key] != 0 }.map { ($0.name, Value.format(s[keyPath: $0.key])) }
        pairs.append(("originals", share(s.originals)))
        return pairs
    }
}
