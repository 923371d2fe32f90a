import Foundation

/// The connection file Jupyter writes and passes with `-f`: where to bind and how to sign.
public struct ConnectionInfo: Sendable {
    var transport: String
    var ip: String
    var shellPort: Int
    var controlPort: Int
    var iopubPort: Int
    var stdinPort: Int
    var heartbeatPort: Int
    var key: String
    var signatureScheme: String

    public static func read(_ path: String) throws(KernelError) -> ConnectionInfo {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .connection("cannot read the connection file '\(path)'")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let json = object as? JSON else {
            throw .connection("the connection file '\(path)' is not a JSON object")
        }
        func port(_ name: String) throws(KernelError) -> Int {
            guard let n = json[name] as? Int, (0...65535).contains(n) else {
                throw .connection("the connection file '\(path)' has no valid '\(name)'")
            }
            return n
        }
        return ConnectionInfo(transport: json["transport"] as? String ?? "tcp", ip: json["ip"] as? String ?? "127.0.0.1",
                              shellPort: try port("shell_port"), controlPort: try port("control_port"),
                              iopubPort: try port("iopub_port"), stdinPort: try port("stdin_port"),
                              heartbeatPort: try port("hb_port"), key: json["key"] as? String ?? "",
                              signatureScheme: json["signature_scheme"] as? String ?? "hmac-sha256")
    }

    /// `tcp://127.0.0.1:PORT`, or `ipc://IP-PORT` for the ipc transport.
    func endpoint(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "\(transport)://\(ip):\(port)"
    }
}

/// What stops the kernel from starting or a message from being read.
public enum KernelError: Error, CustomStringConvertible {
    case connection(String)
    case zmq(String, Int32)
    case badMessage(String)
    case badSignature

    public var description: String {
        switch self {
        case .connection(let text): return text
        case .zmq(let text, let code): return "\(text): \(String(cString: strerror(code)))"
        case .badMessage(let text): return "a malformed message: \(text)"
        case .badSignature: return "a message with a wrong signature"
        }
    }
}
