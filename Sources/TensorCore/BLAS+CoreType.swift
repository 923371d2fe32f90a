#if canImport(Glibc)
import Glibc
#endif

// OpenBLAS picks its kernels (its "core type") once, when the library loads, from CPUID; the
// environment variable OPENBLAS_CORETYPE overrides the choice and is read at that moment only,
// so a different choice needs the process to be started again with the variable set.

extension BLAS {
    /// Core types whose kernels use AVX-512.
    static let avx512CoreTypes: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// The core type to force at start-up, or nil to keep OpenBLAS's own choice.
    ///
    /// Debian's OpenBLAS 0.3.21 does not know recent CPUs and falls back to its AVX2 "Haswell"
    /// kernels even where AVX-512 is available; there its "SkylakeX" kernels are faster. They
    /// must never be chosen on a CPU without AVX-512 (they die with SIGILL, as on AMD Zen 3), so
    /// the CPU's own flags decide.
    public static func preferredCoreType(cpuFlags: Set<String>, currentCore: String) -> String? {
        let needed: Set<String> = ["avx512f", "avx512dq", "avx512bw", "avx512vl"]
        guard needed.isSubset(of: cpuFlags) else { return nil }
        return avx512CoreTypes.contains(currentCore.lowercased()) ? nil : "SkylakeX"
    }

    /// `preferredCoreType` for this machine (flags from /proc/cpuinfo), when the user has not
    /// set OPENBLAS_CORETYPE; nil otherwise or when the flags cannot be read.
    public static func preferredCoreTypeForThisMachine() -> String? {
        guard getenv("OPENBLAS_CORETYPE") == nil else { return nil }
        guard let file = fopen("/proc/cpuinfo", "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            let text = String(cString: line)
            if text.hasPrefix("flags") {
                let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == ":" }).map(String.init))
                return preferredCoreType(cpuFlags: flags, currentCore: coreName)
            }
        }
        return nil
    }
}
