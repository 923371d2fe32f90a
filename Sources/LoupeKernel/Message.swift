import Foundation

/// A JSON object as Foundation's `JSONSerialization` reads and writes it.
typealias JSON = [String: Any]

/// One Jupyter message (messaging protocol 5.3): routing identities, header, parent header,
/// metadata, content and binary buffers.
///
/// On the wire: `identities…, "<IDS|MSG>", signature, header, parent_header, metadata,
/// content, buffers…`, the signature covering the four JSON frames.
struct Message {
    static let delimiter = Array("<IDS|MSG>".utf8)
    static let protocolVersion = "5.3"

    var identities: [[UInt8]] = []
    var header: JSON
    var parentHeader: JSON = [:]
    var metadata: JSON = [:]
    var content: JSON
    var buffers: [[UInt8]] = []

    var type: String { header["msg_type"] as? String ?? "" }
    var id: String { header["msg_id"] as? String ?? "" }

    /// A new message of `type` from this kernel's session, answering `parent` when given.
    init(type: String, session: String, content: JSON, parent: Message? = nil, metadata: JSON = [:]) {
        header = [
            "msg_id": UUID().uuidString.lowercased(),
            "session": session,
            "username": "loupe",
            "date": Message.timestamp(),
            "msg_type": type,
            "version": Message.protocolVersion,
        ]
        self.content = content
        self.metadata = metadata
        if let parent {
            parentHeader = parent.header
            identities = parent.identities
        }
    }

    init(identities: [[UInt8]], header: JSON, parentHeader: JSON, metadata: JSON, content: JSON, buffers: [[UInt8]]) {
        self.identities = identities
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    /// Reads a message off the wire, checking its signature.
    static func decode(_ frames: [[UInt8]], signer: Signer) throws(KernelError) -> Message {
        guard let split = frames.firstIndex(of: delimiter) else { throw .badMessage("no <IDS|MSG> delimiter") }
        let rest = Array(frames[(split + 1)...])
        guard rest.count >= 5 else { throw .badMessage("\(rest.count) frames after the delimiter, 5 needed") }
        guard signer.verify(rest[0], Array(rest[1...4])) else { throw .badSignature }
        func object(_ frame: [UInt8], _ what: String) throws(KernelError) -> JSON {
            guard let value = try? JSONSerialization.jsonObject(with: Data(frame)), let json = value as? JSON else {
                throw .badMessage("the \(what) is not a JSON object")
            }
            return json
        }
        return Message(identities: Array(frames[..<split]), header: try object(rest[1], "header"),
                       parentHeader: try object(rest[2], "parent header"), metadata: try object(rest[3], "metadata"),
                       content: try object(rest[4], "content"), buffers: Array(rest.dropFirst(5)))
    }

    /// The frames to send, signed.
    func encode(signer: Signer) -> [[UInt8]] {
        let parts = [header, parentHeader, metadata, content].map(Message.serialize)
        return identities + [Message.delimiter, Array(signer.signature(parts).utf8)] + parts + buffers
    }

    static func serialize(_ json: JSON) -> [UInt8] {
        if let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .withoutEscapingSlashes]) { return Array(data) }
        // Only values the kernel builds itself reach here; a non-JSON value is a bug, said plainly.
        let fallback: JSON = ["status": "error", "ename": "InternalError", "evalue": "a reply could not be encoded as JSON", "traceback": []]
        return Array((try? JSONSerialization.data(withJSONObject: fallback)) ?? Data("{}".utf8))
    }

    /// ISO 8601 with microseconds and a zone, as the specification asks.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let micro = Int(now.tv_nsec / 1000)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var microText = String(micro)
        while microText.count < 6 { microText = "0" + microText }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(microText)Z"
    }
}
