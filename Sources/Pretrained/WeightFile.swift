import CCrypto
import Foundation

/// Weight files by name and content: torch.hub's `NAME-<hex>.ext` rule and SHA-256.
public enum WeightFile {
    /// The hex prefix of `resnet18-f37072fd.pth` (8 or more hex digits after the last `-`, before
    /// `.pth` or `.safetensors`); nil for a name that carries none.
    public static func hashPrefix(of name: String) -> String? {
        let base = (name as NSString).lastPathComponent
        let stem: Substring
        if base.hasSuffix(".pth") { stem = base.dropLast(4) }
        else if base.hasSuffix(".safetensors") { stem = base.dropLast(12) }
        else { return nil }
        guard let dash = stem.lastIndex(of: "-") else { return nil }
        let hex = stem[stem.index(after: dash)...]
        guard hex.count >= 8, hex.allSatisfy({ $0.isHexDigit }) else { return nil }
        return hex.lowercased()
    }

    /// The SHA-256 of a file as lower-case hex, read in 1 MiB pieces (OpenSSL's libcrypto).
    public static func sha256(path: String) throws(WeightsError) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable(path: path) }
        defer { try? handle.close() }
        guard let context = EVP_MD_CTX_new() else { throw .unreadable(path: path) }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            _ = chunk.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}
