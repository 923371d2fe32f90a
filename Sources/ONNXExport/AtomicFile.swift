#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

#if canImport(Glibc)
private let posixWrite = Glibc.write
#elseif canImport(Darwin)
private let posixWrite = Darwin.write
#endif

/// Writes a file so that it is either complete or absent: the bytes go to a temporary file in
/// the same folder, which is flushed to disk (fsync) and then renamed over the target (rename is
/// atomic within a file system). On any failure the temporary file is removed and a file that
/// was already at `path` is left as it was.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws(ONNXExportError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ what: String) -> ONNXExportError {
            .cannotWrite(path: path, reason: "\(what) (\(String(cString: strerror(errno))))")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .cannotWrite(path: path, reason: "it is a folder")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = FileManager.default.fileExists(atPath: folder) ? "cannot create a file in '\(folder)'" : "the folder '\(folder)' does not exist"
            throw failure(reason)
        }
        var ok = false
        defer { if !ok { unlink(temporary) } }
        var written = 0
        let result: Bool = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = posixWrite(fd, buffer.baseAddress! + written, min(buffer.count - written, 1 << 30))
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        guard result else { let e = failure("writing failed after \(written) of \(bytes.count) bytes"); close(fd); throw e }
        guard fsync(fd) == 0 else { let e = failure("flushing to disk failed"); close(fd); throw e }
        guard close(fd) == 0 else { throw failure("closing failed") }
        guard rename(temporary, path) == 0 else { throw failure("renaming the temporary file failed") }
        ok = true
        // The rename itself is made durable by flushing the folder.
        let dirFD = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 { _ = fsync(dirFD); close(dirFD) }
    }
}
