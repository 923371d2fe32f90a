#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Replaces the file at `path` with `bytes` so that readers see either the old file or the
    /// whole new one: write a temporary file in the same folder, flush it to disk, rename it over
    /// `path`, then flush the folder so the rename itself survives a crash. On any failure the
    /// temporary file is removed and a previous file at `path` is untouched.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ModelFileError) {
        let (folder, name) = split(path)
        guard !name.isEmpty else { throw .cannotWrite(path: path, reason: "the path names a folder, not a file") }
        removeAbandonedTemporaries(in: folder)
        var template = Array("\(folder)/.\(name)\(temporaryMarker)\(getpid())-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: "cannot create a temporary file in \(folder): \(systemError())") }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: String?
        // mkstemp creates the file readable by its owner only; a model file is shared like any document.
        var mode: mode_t = 0o644
        var existing = stat()
        if stat(path, &existing) == 0 { mode = existing.st_mode & 0o7777 }
        if fchmod(fd, mode) != 0 { failure = systemError() }
        if failure == nil {
            failure = bytes.withUnsafeBytes { raw -> String? in
                var written = 0
                while written < raw.count {
                    let n = write(fd, raw.baseAddress! + written, raw.count - written)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return systemError() }
                    written += n
                }
                return nil
            }
        }
        if failure == nil, fsync(fd) != 0 { failure = systemError() }
        if close(fd) != 0, failure == nil { failure = systemError() }
        if failure == nil, rename(temporary, path) != 0 { failure = systemError() }
        if let failure {
            unlink(temporary)
            throw .cannotWrite(path: path, reason: failure)
        }
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 { _ = fsync(folderFD); close(folderFD) }
    }

    /// Temporary files are named `.NAME.loupe-tmp-PID-XXXXXX`: the process id tells an abandoned
    /// one (its process is gone: a save killed with `kill -9` or a power cut) from a save in progress.
    static let temporaryMarker = ".loupe-tmp-"

    /// Removes the temporary files that saves into `folder` left behind when their process was
    /// killed before it could rename or remove them. Files of live processes (this one, or
    /// another Loupe saving into the same folder) are left alone.
    static func removeAbandonedTemporaries(in folder: String) {
        guard let dir = opendir(folder) else { return }
        var abandoned: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix("."), let marker = name.ranges(of: temporaryMarker).last else { continue }
            let digits = name[marker.upperBound...].prefix { $0.isASCII && $0.isNumber }
            guard let pid = pid_t(digits), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { abandoned.append(name) }
        }
        closedir(dir)
        for name in abandoned { unlink(folder + "/" + name) }
    }

    /// The folder and file name of `path` ("." for a bare name).
    private static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }

    private static func systemError() -> String { String(cString: strerror(errno)) }
}
