#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LoupeBase

#if canImport(Glibc)
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
private let posixWrite = Darwin.write
#endif

/// Writes a file so that it is either complete or absent, through `AtomicWrite.write` (a
/// temporary in the same folder, flushed, renamed; temporaries of killed writes swept), with
/// ONNX export's messages for a missing folder and a folder in the way.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(ONNXExportError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .cannotWrite(path: path, reason: "it is a folder")
        }
        guard FileManager.default.fileExists(atPath: folder.isEmpty ? "." : folder) else {
            throw .cannotWrite(path: path, reason: "the folder '\(folder)' does not exist")
        }
        do {
            try AtomicWrite.write(bytes, to: path)
        } catch {
            throw .cannotWrite(path: path, reason: "cannot create a file in '\(folder)' (\(error.reason))")
        }
    }
}
