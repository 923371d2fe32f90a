import Foundation

/// Why a file write failed, from the POSIX error under Foundation's (Linux's
/// `localizedDescription` often says only "The operation could not be completed").
///
/// The command layer words the common cases itself (`FileErrorText` in LoupeLang, which this
/// layer cannot see); here the system's own text of the errno is enough to act on.
func fileWriteReason(_ error: any Error) -> String {
    var current: NSError? = error as NSError
    while let e = current {
        if e.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(e.code))) }
        current = e.userInfo[NSUnderlyingErrorKey] as? NSError
    }
    let ns = error as NSError
    return ns.domain == NSCocoaErrorDomain ? "the file system refused (Cocoa error \(ns.code))" : ns.localizedDescription
}
