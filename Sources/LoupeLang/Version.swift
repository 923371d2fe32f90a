/// Loupe's version, one place for `loupe --version`, the REPL banner, the kernel's
/// `kernel_info` and what exported files say made them.
public enum LoupeVersion {
    public static let current = "0.2.0"
}
