import Foundation
import LoupeLang
import NeuralNet
import Workflow

/// `load_model` and `save`: `.loupe` files with weights, classes, preprocessing and history.
extension CommandRegistry {
    mutating func registerModelFileCommands() {
        register(CommandSpec(
            name: "load_model", group: "Models", summary: "a model saved by Loupe (.loupe)",
            parameters: [.positional("file", .string, help: "a .loupe file written by save")],
            result: "a model", example: "m = load_model \"loupe-out/run-1/best.loupe\"") { call in
                let path = try call.arguments.string("file")
                guard FileManager.default.fileExists(atPath: path) else {
                    throw CommandError.unreadableFile(path: path, reason: "no such file")
                }
                let (model, metadata): (ResNet, ModelMetadata)
                do { (model, metadata) = try ModelStore.load(path: path) } catch let e as ModelStoreError {
                    throw CommandError.unreadableFile(path: path, reason: remedied(e))
                } catch {
                    throw CommandError.unreadableFile(path: path, reason: "\(error)")
                }
                let value = ModelValue(model: model, metadata: metadata)
                value.origin = .loaded(path: path, version: metadata.version)
                value.hasBeenSaved = true
                call.write("loaded \(value.summary); version \(metadata.version), \(counted(value.trainingRecords.count, "training session")) recorded")
                return .object(value)
            })
        register(CommandSpec(
            name: "save", group: "Models", summary: "write a model to a .loupe file (atomically)",
            parameters: [
                .positional("m", .kind("model"), help: "the model"),
                .positional("file", .string, help: "where to write it (.loupe)"),
            ],
            result: "nothing; prints the path and version", example: "save m \"flowers.loupe\"") { call in
                let m = try call.arguments.object("m", as: ModelValue.self)
                let path = try call.arguments.string("file")
                var metadata = m.metadata
                if m.hasBeenSaved { metadata.version += 1 }
                let folder = (path as NSString).deletingLastPathComponent
                if call.writesFiles {
                    if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
                    do { try ModelStore.save(m.model, metadata: metadata, to: path) } catch {
                        throw CommandError.invalidArgument(parameter: "file", message: "cannot write the model: \(error)")
                    }
                }
                m.metadata = metadata
                m.hasBeenSaved = true
                call.write("saved \(m.model.config.name) version \(metadata.version) to \(path)")
                return .none
            })
    }
}
