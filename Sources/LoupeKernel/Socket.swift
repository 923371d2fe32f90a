import CZMQ
import Glibc

/// A ZeroMQ socket: multipart frames in and out, with receives retried after a signal.
///
/// A socket belongs to one thread at a time (ZeroMQ's rule); the iopub socket, which several
/// threads publish on, is guarded by `Kernel`'s lock.
final class Socket: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    let name: String

    init(context: UnsafeMutableRawPointer, type: Int32, name: String) throws(KernelError) {
        guard let handle = zmq_socket(context, type) else { throw .zmq("cannot create the \(name) socket", errno) }
        self.handle = handle
        self.name = name
        var linger: Int32 = 0
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
    }

    func bind(_ endpoint: String) throws(KernelError) {
        guard zmq_bind(handle, endpoint) == 0 else {
            throw .zmq("cannot bind the \(name) socket to \(endpoint)", zmq_errno())
        }
    }

    /// Sends the frames as one multipart message. Returns false when ZeroMQ refused.
    @discardableResult
    func send(_ frames: [[UInt8]]) -> Bool {
        for (i, frame) in frames.enumerated() {
            let flags: Int32 = i < frames.count - 1 ? ZMQ_SNDMORE : 0
            while true {
                let sent = frame.withUnsafeBytes { zmq_send(handle, $0.baseAddress, $0.count, flags) }
                if sent >= 0 { break }
                if zmq_errno() == EINTR { continue }
                return false
            }
        }
        return true
    }

    /// Receives one multipart message; waits, retrying when a signal interrupts the wait.
    /// Returns nil when the socket or the context is closed.
    func receive() -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            var received: Int32
            repeat {
                received = zmq_msg_recv(&message, handle, 0)
            } while received < 0 && zmq_errno() == EINTR
            guard received >= 0 else { return nil }
            let size = zmq_msg_size(&message)
            let data = zmq_msg_data(&message)
            frames.append(size == 0 ? [] : Array(UnsafeRawBufferPointer(start: data, count: size)))
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    /// Whether a message is waiting, within `milliseconds` (0: now); signals count as no message.
    func hasMessage(within milliseconds: Int) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        let ready = zmq_poll(&item, 1, milliseconds)
        return ready > 0 && (item.revents & Int16(ZMQ_POLLIN)) != 0
    }
}
