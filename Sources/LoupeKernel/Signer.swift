import CCrypto

/// Signs and checks Jupyter messages: HMAC-SHA256 over header, parent header, metadata and
/// content, as lower-case hex (OpenSSL's libcrypto does the digest).
///
/// An empty key means "no authentication" (the connection file's `key` is ""): the signature
/// is empty and every message is accepted, as the messaging specification says.
struct Signer: Sendable {
    let key: [UInt8]

    init(key: String, scheme: String) throws(KernelError) {
        guard scheme == "hmac-sha256" || key.isEmpty else {
            throw .connection("signature scheme '\(scheme)' is not supported (Loupe signs with hmac-sha256)")
        }
        self.key = Array(key.utf8)
    }

    func signature(_ parts: [[UInt8]]) -> String {
        guard !key.isEmpty else { return "" }
        let data = parts.flatMap { $0 }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        // The one-shot HMAC() (not the deprecated HMAC_CTX calls of OpenSSL 3).
        _ = key.withUnsafeBufferPointer { k in
            data.withUnsafeBufferPointer { d in
                HMAC(EVP_sha256(), k.baseAddress, Int32(k.count), d.baseAddress, d.count, &digest, &length)
            }
        }
        let hex: [Character] = Array("0123456789abcdef")
        var text = ""
        for byte in digest.prefix(Int(length)) {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 15)])
        }
        return text
    }

    /// Whether `signature` is the right one for `parts`, compared in constant time.
    func verify(_ signature: [UInt8], _ parts: [[UInt8]]) -> Bool {
        guard !key.isEmpty else { return true }
        let expected = Array(self.signature(parts).utf8)
        guard expected.count == signature.count else { return false }
        return expected.withUnsafeBytes { e in
            signature.withUnsafeBytes { s in CRYPTO_memcmp(e.baseAddress, s.baseAddress, e.count) == 0 }
        }
    }
}
