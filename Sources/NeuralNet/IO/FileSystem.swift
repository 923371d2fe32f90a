#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

import LoupeBase

/// Whole-file reads and atomic writes through POSIX calls, with errors that name the path.
enum FileSystem {
    /// The bytes of the regular file at `path`, refused before allocation when it exceeds
    /// `limits.maxFileBytes`.
    static func readWholeFile(_ path: String, limits: FileLimits) throws(ModelFileError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .cannotRead(path: path, reason: systemError()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotRead(path: path, reason: systemError()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .cannotRead(path: path, reason: (info.st_mode & S_IFMT) == S_IFDIR ? "it is a folder" : "it is not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= limits.maxFileBytes else {
            throw .overLimit(path: path, what: "the file size", value: "\(size) bytes", limit: "\(limits.maxFileBytes) bytes")
        }
        var failure: ModelFileError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let n = read(fd, buffer.baseAddress! + initialized, size - initialized)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = .cannotRead(path: path, reason: systemError()); break }
                if n == 0 { break }  // The file shrank while being read: parse what is there.
                initialized += n
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Replaces the file at `path` with `bytes` atomically (`AtomicWrite.write`: a temporary
    /// `.NAME.loupe-tmp-PID-XXXXXX` beside it, flushed and renamed; temporaries that killed
    /// writes left in the folder are removed first).
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ModelFileError) {
        do {
            try AtomicWrite.write(bytes, to: path)
        } catch {
            throw .cannotWrite(path: path, reason: error.reason)
        }
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
