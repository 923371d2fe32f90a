import Foundation
import LoupeLang

/// `loupe kernel install`: the kernelspec folder `loupe` that Jupyter finds and starts.
///
/// Where (as `jupyter kernelspec install` decides): `--user` (the default, no root needed)
/// → `$JUPYTER_DATA_DIR/kernels`, else `$XDG_DATA_HOME/jupyter/kernels`, else
/// `~/.local/share/jupyter/kernels`; `--sys-prefix` → the
/// `share/jupyter/kernels` of the Python environment on PATH (a virtual environment);
/// `--prefix DIR` → `DIR/share/jupyter/kernels`.
public enum KernelSpec {
    public enum Location: Equatable {
        case user
        case sysPrefix
        case prefix(String)
    }

    public static let usage = "usage: loupe kernel install [--user | --sys-prefix | --prefix DIR]\n       loupe kernel -f CONNECTION_FILE"

    /// Parses `install`'s options.
    public static func location(_ arguments: [String]) throws(KernelError) -> Location {
        var location = Location.user
        var rest = arguments[...]
        var chosen = 0
        while let argument = rest.popFirst() {
            chosen += 1
            switch argument {
            case "--user": location = .user
            case "--sys-prefix": location = .sysPrefix
            case "--prefix":
                guard let dir = rest.popFirst() else { throw .connection("--prefix needs a folder") }
                location = .prefix(dir)
            case let other where other.hasPrefix("--prefix="):
                location = .prefix(String(other.dropFirst("--prefix=".count)))
            default:
                throw .connection("unknown option '\(argument)' for 'loupe kernel install'")
            }
        }
        guard chosen <= 1 else { throw .connection("give one of --user, --sys-prefix, --prefix DIR") }
        return location
    }

    /// The `kernels` folder for a location.
    public static func kernelsFolder(_ location: Location) throws(KernelError) -> String {
        let environment = ProcessInfo.processInfo.environment
        switch location {
        case .user:
            if let data = environment["JUPYTER_DATA_DIR"], !data.isEmpty { return data + "/kernels" }
            let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? HomePath.home + "/.local/share"
            return base + "/jupyter/kernels"
        case .prefix(let dir):
            return dir + "/share/jupyter/kernels"
        case .sysPrefix:
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", "import sys; print(sys.prefix)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            do { try process.run() } catch { throw .connection("--sys-prefix asks python3 for its prefix, but python3 cannot be run: \(error)") }
            process.waitUntilExit()
            let prefix = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard process.terminationStatus == 0, !prefix.isEmpty else { throw .connection("python3 did not say its sys.prefix") }
            return prefix + "/share/jupyter/kernels"
        }
    }

    /// kernel.json for the binary at `executable`.
    public static func kernelJSON(executable: String) -> [UInt8] {
        let spec: [String: Any] = [
            "argv": [executable, "kernel", "-f", "{connection_file}"],
            "display_name": "Loupe",
            "language": "loupe",
            "interrupt_mode": "signal",
            "metadata": ["debugger": false],
        ]
        let data = (try? JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return Array(data) + [10]
    }

    /// Writes `kernels/loupe/` with kernel.json and the logos; returns the folder.
    public static func install(_ location: Location, executable: String, logos: [(name: String, png: [UInt8])]) throws(KernelError) -> String {
        let folder = try kernelsFolder(location) + "/loupe"
        do {
            try FileWriting.write(kernelJSON(executable: executable), to: folder + "/kernel.json")
            for logo in logos { try FileWriting.write(logo.png, to: folder + "/" + logo.name) }
        } catch {
            throw .connection("cannot write the kernelspec into '\(folder)': \(FileErrorText.describe(error, path: folder))")
        }
        return folder
    }
}
