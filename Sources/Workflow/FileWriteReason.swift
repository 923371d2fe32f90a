import Foundation

/// Why a file write failed, from the POSIX error under Foundation's (Linux's
/// `localizedDescription` often says only "The operation could not be completed").
///
/// The command layer words the common cases itself (`FileErrorText` in LoupeLang, which this
/// layer cannot see); here the system's own text of the errno is enough to act on.
func fileWriteReason(_ error: any Error, path: String? = nil) -> String {
    var current: NSError? = error as NSError
    while let e = current {
        if e.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(e.code))) }
        current = e.userInfo[NSUnderlyingErrorKey] as? NSError
    }
    // Foundation on Linux reports a file where a folder is needed as a bare Cocoa error 512.
    if let path {
        var folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        while folder.path != "/" {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
                if !isFolder.boolValue { return "\(folder.path) is a file, and a folder is needed there" }
                break
            }
            folder = folder.deletingLastPathComponent()
        }
    }
    let ns = error as NSError
    return ns.domain == NSCocoaErrorDomain ? "the file system refused (Cocoa error \(ns.code))" : ns.localizedDescription
}
