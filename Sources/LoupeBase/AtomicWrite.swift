#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why an atomic write failed: the system's text of the error (the caller names the path), and
/// the errno behind it (0 when there is none), for callers that word the common cases themselves.
public struct AtomicWriteFailure: Error, Sendable, Equatable {
    public var reason: String
    public var code: Int32

    public init(reason: String, code: Int32 = 0) {
        self.reason = reason
        self.code = code
    }
}

/// Replaces a file so that readers see either the old file or the whole new one, and sweeps up
/// what killed writes left behind. Model files, checkpoints, figures, reports and ONNX exports
/// all write through here, so every folder Loupe writes into is swept the same way.
public enum AtomicWrite {
    /// Temporary files are named `.NAME.loupe-tmp-PID-XXXXXX`: the process id tells an abandoned
    /// one (its process is gone: a write killed with `kill -9` or a power cut) from a write in progress.
    public static let temporaryMarker = ".loupe-tmp-"

    /// Writes `bytes` to a temporary file in the same folder, flushes it to disk, renames it over
    /// `path`, then flushes the folder so the rename itself survives a crash. On any failure the
    /// temporary file is removed and a previous file at `path` is untouched. Temporaries of dead
    /// processes in the folder are removed first.
    public static func write(_ bytes: [UInt8], to path: String) throws(AtomicWriteFailure) {
        let (folder, name) = split(path)
        guard !name.isEmpty else { throw AtomicWriteFailure(reason: "the path names a folder, not a file") }
        removeAbandonedTemporaries(in: folder)
        var template = Array("\(folder)/.\(name)\(temporaryMarker)\(getpid())-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            let code = errno
            throw AtomicWriteFailure(reason: "cannot create a temporary file in \(folder): \(systemError())", code: code)
        }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: String?
        var failureCode: Int32 = 0
        // mkstemp creates the file readable by its owner only; a written file is shared like any document.
        var mode: mode_t = 0o644
        var existing = stat()
        if stat(path, &existing) == 0 { mode = existing.st_mode & 0o7777 }
        if fchmod(fd, mode) != 0 { failureCode = errno; failure = systemError() }
        if failure == nil {
            failure = bytes.withUnsafeBytes { raw -> String? in
                var written = 0
                while written < raw.count {
                    let n = systemWrite(fd, raw.baseAddress! + written, min(raw.count - written, 1 << 30))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { failureCode = n < 0 ? errno : ENOSPC; return systemError() }
                    written += n
                }
                return nil
            }
        }
        if failure == nil, fsync(fd) != 0 { failureCode = errno; failure = systemError() }
        if close(fd) != 0, failure == nil { failureCode = errno; failure = systemError() }
        if failure == nil, rename(temporary, path) != 0 { failureCode = errno; failure = systemError() }
        if let failure {
            unlink(temporary)
            throw AtomicWriteFailure(reason: failure, code: failureCode)
        }
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 { _ = fsync(folderFD); close(folderFD) }
    }

    /// Removes the temporary files that writes into `folder` left behind when their process was
    /// killed before it could rename or remove them. Files of live processes (this one, or
    /// another Loupe writing into the same folder) are left alone.
    public static func removeAbandonedTemporaries(in folder: String) {
        guard let dir = opendir(folder) else { return }
        var abandoned: [String] = []
        while let entry = readdir(dir) {
            // The name is read in place up to its NUL: a dirent is allocated to its name's length,
            // and copying out the fixed 256-byte d_name read past its end (AddressSanitizer).
            let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            guard name.hasPrefix("."), let marker = name.ranges(of: temporaryMarker).last else { continue }
            let digits = name[marker.upperBound...].prefix { $0.isASCII && $0.isNumber }
            guard let pid = pid_t(digits), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { abandoned.append(name) }
        }
        closedir(dir)
        for name in abandoned { unlink(folder + "/" + name) }
    }

    /// The folder and file name of `path` ("." for a bare name).
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    private static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        return Glibc.write(fd, buffer, count)
        #elseif canImport(Musl)
        return Musl.write(fd, buffer, count)
        #else
        return Darwin.write(fd, buffer, count)
        #endif
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
