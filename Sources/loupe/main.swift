import LoupeCommands
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "bench" {
    exit(runBench(arguments: Array(arguments.dropFirst())))
}
if arguments.first == "--version" { print("loupe 0.1.0"); exit(0) }
FileHandle.standardError.write(Data("loupe: the language front end is not built yet; available: loupe bench [NAME...], loupe --version\n".utf8))
exit(64)
