import CZlib
import Foundation

/// Reads a whole file, gunzipping it when it starts with the gzip magic bytes.
///
/// The content decides, not the extension: MNIST mirrors ship both `.gz` and plain files.
/// `maxBytes` bounds the decompressed size so a hostile file cannot exhaust memory.
func readMaybeGzipped(path: String, maxBytes: Int = 1 << 31) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw DatasetError.notFound(path: path)
    }
    let bytes = [UInt8](data)
    guard bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B else { return bytes }
    return try gunzip(bytes, path: path, maxBytes: maxBytes)
}

/// Decompresses a gzip stream (concatenated members included) with zlib.
func gunzip(_ input: [UInt8], path: String, maxBytes: Int) throws -> [UInt8] {
    var stream = z_stream()
    // 16 + MAX_WBITS asks zlib to expect and check a gzip header and trailer.
    guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw DatasetError.gzip(path: path, reason: "zlib could not start")
    }
    defer { inflateEnd(&stream) }
    var output = [UInt8]()
    // The gzip trailer holds the size modulo 2^32: a good first guess for the buffer.
    if input.count >= 4 {
        let n = input.count
        let isize = Int(input[n - 4]) | Int(input[n - 3]) << 8 | Int(input[n - 2]) << 16 | Int(input[n - 1]) << 24
        output.reserveCapacity(min(max(isize, input.count), maxBytes))
    }
    var chunk = [UInt8](repeating: 0, count: 1 << 18)
    try input.withUnsafeBufferPointer { inBuf in
        stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
        stream.avail_in = uInt(inBuf.count)
        while true {
            let status: Int32 = chunk.withUnsafeMutableBufferPointer { outBuf in
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                return inflate(&stream, Z_NO_FLUSH)
            }
            let produced = chunk.count - Int(stream.avail_out)
            output.append(contentsOf: chunk[0..<produced])
            if output.count > maxBytes {
                throw DatasetError.gzip(path: path, reason: "decompressed data larger than \(maxBytes) bytes")
            }
            switch status {
            case Z_STREAM_END:
                // Another gzip member may follow (e.g. files made with `cat a.gz b.gz`).
                if stream.avail_in > 0 {
                    guard inflateReset(&stream) == Z_OK else {
                        throw DatasetError.gzip(path: path, reason: "bad trailing data")
                    }
                    continue
                }
                return
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                throw DatasetError.gzip(path: path, reason: "file is truncated")
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw DatasetError.gzip(path: path, reason: message)
            }
        }
    }
    return output
}
