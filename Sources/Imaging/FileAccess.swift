#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LoupeBase

/// Whole-file reads and atomic writes over POSIX calls (no Foundation needed in this layer).
enum FileAccess {
    /// Reads a whole file, refusing files larger than `maxBytes` before reading them.
    static func read(path: String, maxBytes: Int) throws(ImageError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(source: path, reason: lastErrorText()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(source: path, reason: lastErrorText()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(source: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size <= maxBytes else {
            throw .fileTooLarge(source: path, bytes: size, limit: maxBytes)
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let got = bytes.withUnsafeMutableBytes { raw in
                systemRead(descriptor, raw.baseAddress! + filled, size - filled)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw .unreadable(source: path, reason: lastErrorText())
            }
            if got == 0 { break }  // the file shrank while being read
            filled += got
        }
        return filled == size ? bytes : Array(bytes[..<filled])
    }

    /// The first `count` bytes of a regular file (all of it when shorter) and the file's size.
    static func readPrefix(path: String, count: Int) throws(ImageError) -> (bytes: [UInt8], fileSize: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(source: path, reason: lastErrorText()) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(source: path, reason: lastErrorText()) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(source: path, reason: "not a regular file") }
        let size = Int(status.st_size)
        let wanted = min(size, count)
        var bytes = [UInt8](repeating: 0, count: wanted)
        var filled = 0
        while filled < wanted {
            let got = bytes.withUnsafeMutableBytes { raw in systemRead(descriptor, raw.baseAddress! + filled, wanted - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .unreadable(source: path, reason: lastErrorText())
            }
            if got == 0 { break }
            filled += got
        }
        return (filled == wanted ? bytes : Array(bytes[..<filled]), size)
    }

    /// Writes `bytes` atomically (`AtomicWrite.write`: a temporary beside `path`, flushed, then
    /// renamed), so a failure never leaves a half-written file in place of the old one, and a
    /// temporary that a killed write left in the folder is removed at the next write there.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ImageError) {
        do {
            try AtomicWrite.write(bytes, to: path)
        } catch {
            throw .unwritable(path: path, reason: error.reason)
        }
    }

    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.read(descriptor, buffer, count)
        #else
        return Darwin.read(descriptor, buffer, count)
        #endif
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
