import Foundation

/// `~` as a shell expands it: `$HOME` first (Foundation on Linux reads the password database
/// instead, which ignores a `HOME` set for a test, a container or `sudo -E`).
public enum HomePath {
    public static var home: String {
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { return home }
        return NSHomeDirectory()
    }

    /// `~` and `~/…` expanded; `~user/…` and every other path as they are.
    public static func expand(_ path: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }
}
