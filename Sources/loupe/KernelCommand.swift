import Foundation
import Glibc
import Imaging
import LoupeKernel
import LoupeLang
import Plotting

/// `loupe kernel install [--user|--sys-prefix|--prefix DIR]` and `loupe kernel -f FILE`.
struct KernelCommand {
    let interpreter: Interpreter

    func run(arguments: [String]) -> Int32 {
        switch arguments.first {
        case "install":
            do {
                let location = try KernelSpec.location(Array(arguments.dropFirst()))
                let logos = try [32, 64].map { size in (name: "logo-\(size)x\(size).png", png: try PNG.encode(KernelCommand.logo(size: size).toImage())) }
                let folder = try KernelSpec.install(location, executable: KernelCommand.executablePath, logos: logos)
                Output.out("installed the Jupyter kernel 'Loupe' in \(folder)\n")
                return 0
            } catch let error as KernelError {
                Output.err("loupe: \(error)\n\(KernelSpec.usage)\n")
                return 64
            } catch {
                Output.err("loupe: cannot draw the kernel's logo: \(error)\n")
                return 70
            }
        case "-f", "--connection-file":
            // Clients may add arguments after the file (`jupyter run` adds the script): ignored.
            guard arguments.count >= 2 else {
                Output.err("loupe: which connection file?\n\(KernelSpec.usage)\n")
                return 64
            }
            do {
                let kernel = try Kernel(connection: try ConnectionInfo.read(arguments[1]), interpreter: interpreter)
                kernel.run()
            } catch {
                Output.err("loupe kernel: \(error)\n")
                return 66
            }
        case let other:
            if let other, other.hasPrefix("-f=") || other.hasPrefix("--connection-file=") {
                return run(arguments: ["-f", String(other.split(separator: "=", maxSplits: 1)[1])])
            }
            Output.err("loupe: \(other.map { "unknown kernel option '\($0)'" } ?? "kernel needs install or -f FILE")\n\(KernelSpec.usage)\n")
            return 64
        }
    }

    /// This binary's absolute path, for kernel.json.
    static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
    }

    /// A loupe: a dark lens ring with a handle, on transparent ground, drawn with Loupe's canvas.
    static func logo(size: Int) -> Canvas {
        var canvas = Canvas(width: size, height: size, background: Color(r: 255, g: 255, b: 255, a: 0))
        let s = Double(size)
        let center = Point(s * 0.42, s * 0.42)
        let ink = Color(hex: 0x1F4E79)
        canvas.strokeLine(from: Point(s * 0.62, s * 0.62), to: Point(s * 0.9, s * 0.9), width: s * 0.13, ink)
        canvas.fillCircle(center: center, radius: s * 0.36, ink)
        canvas.fillCircle(center: center, radius: s * 0.26, Color(hex: 0xDCEBF7))
        canvas.fillCircle(center: Point(s * 0.34, s * 0.34), radius: s * 0.07, .white)
        return canvas
    }
}
