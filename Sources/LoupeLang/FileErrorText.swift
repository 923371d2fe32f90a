import Foundation
import LoupeBase

/// Foundation's file errors in words a user can act on: the path at fault and why.
///
/// `error.localizedDescription` on Linux often reads "The operation could not be completed"
/// or prints the raw `NSCocoaErrorDomain error 512`; the POSIX error underneath (or the Cocoa
/// code) says what actually went wrong, and `NSFilePath` names the file or folder that did.
public enum FileErrorText {
    /// `PATH: reason`, e.g. `/data/out: a file is in the way (a folder is needed there)`.
    /// - Parameter path: the path the caller's message already names; the error's own path is
    ///   added only when it is another one (a parent folder that is in the way).
    public static func describe(_ error: any Error, path: String? = nil) -> String {
        let ns = error as NSError
        let culprit = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        let text = reason(error)
        guard let culprit, culprit != path else { return text }
        return "\(culprit): \(text)"
    }

    /// Why: the POSIX reason when there is one, else the meaning of the Cocoa code.
    public static func reason(_ error: any Error) -> String {
        if let failure = error as? AtomicWriteFailure {
            return failure.code == 0 ? failure.reason : reason(posix: failure.code)
        }
        let ns = error as NSError
        if let code = posixCode(ns) { return reason(posix: code) }
        guard ns.domain == NSCocoaErrorDomain else { return ns.localizedDescription }
        switch ns.code {
        case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue: return "no such file or folder"
        case CocoaError.fileWriteFileExists.rawValue: return "a file is in the way (a folder is needed there)"
        case CocoaError.fileReadNoPermission.rawValue, CocoaError.fileWriteNoPermission.rawValue: return "permission denied"
        case CocoaError.fileWriteOutOfSpace.rawValue: return "the disk is full"
        case CocoaError.fileWriteVolumeReadOnly.rawValue: return "the file system is read-only"
        default: return "the file system refused (Cocoa error \(ns.code))"
        }
    }

    /// An errno in words.
    static func reason(posix code: Int32) -> String {
        switch code {
        case EEXIST, ENOTDIR: return "a file is in the way (a folder is needed there)"
        case ENOENT: return "no such file or folder"
        case EACCES, EPERM: return "permission denied"
        case ENOSPC: return "the disk is full"
        case EROFS: return "the file system is read-only"
        case EISDIR: return "it is a folder, not a file"
        default: return String(cString: strerror(code))
        }
    }

    /// The errno in the error or the first error under it.
    private static func posixCode(_ error: NSError) -> Int32? {
        var current: NSError? = error
        while let e = current {
            if e.domain == NSPOSIXErrorDomain { return Int32(e.code) }
            current = e.userInfo[NSUnderlyingErrorKey] as? NSError
        }
        return nil
    }
}
