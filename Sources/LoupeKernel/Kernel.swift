import CZMQ
import Foundation
import Glibc
import LoupeLang

/// The Loupe Jupyter kernel: the five sockets of the messaging protocol, one handler per
/// request type (`Kernel+Handlers.swift`), display events rendered as iopub messages
/// (`KernelDisplay.swift`).
///
/// Threads: the main thread reads the shell socket and runs cells; the control socket and the
/// heartbeat have a thread each, so that shutdown and interrupt requests are answered while a
/// cell runs; two more threads forward what C libraries write to stdout and stderr as
/// `stream` messages. Only the iopub socket is shared, behind `iopubLock`.
public final class Kernel: @unchecked Sendable {
    static let version = LoupeVersion.current

    let interpreter: Interpreter
    let signer: Signer
    /// This kernel process's session id, in every header it sends.
    let sessionID = UUID().uuidString.lowercased()
    private let context: UnsafeMutableRawPointer
    let shell: Socket
    let control: Socket
    let iopub: Socket
    let stdinSocket: Socket
    let heartbeat: Socket
    private let iopubLock = NSLock()
    /// The request whose outputs the forwarded stdout/stderr belong to (guarded by `iopubLock`).
    private var streamParent: Message?
    /// The original stderr, for the kernel's own log lines (fd 2 is forwarded to the notebook).
    private(set) var logDescriptor: Int32 = STDERR_FILENO

    // Main-thread state: the session and the cell history.
    var session = Session()
    var executionCount = 0
    var history: [(count: Int, code: String)] = []
    /// Each stored cell's last result as text (`history` with `output: true`).
    var historyOutputs: [Int: String] = [:]
    lazy var display = KernelDisplay(kernel: self)

    public init(connection: ConnectionInfo, interpreter: Interpreter) throws(KernelError) {
        self.interpreter = interpreter
        signer = try Signer(key: connection.key, scheme: connection.signatureScheme)
        guard let context = zmq_ctx_new() else { throw .zmq("cannot create a ZeroMQ context", zmq_errno()) }
        self.context = context
        shell = try Socket(context: context, type: ZMQ_ROUTER, name: "shell")
        control = try Socket(context: context, type: ZMQ_ROUTER, name: "control")
        iopub = try Socket(context: context, type: ZMQ_PUB, name: "iopub")
        stdinSocket = try Socket(context: context, type: ZMQ_ROUTER, name: "stdin")
        heartbeat = try Socket(context: context, type: ZMQ_REP, name: "heartbeat")
        try shell.bind(connection.endpoint(connection.shellPort))
        try control.bind(connection.endpoint(connection.controlPort))
        try iopub.bind(connection.endpoint(connection.iopubPort))
        try stdinSocket.bind(connection.endpoint(connection.stdinPort))
        try heartbeat.bind(connection.endpoint(connection.heartbeatPort))
    }

    /// Serves until a shutdown request; never returns.
    public func run() -> Never {
        KernelSignals.install()
        forwardOutput()
        startThread("heartbeat") { [self] in
            while let frames = heartbeat.receive() { heartbeat.send(frames) }
        }
        startThread("control") { [self] in
            while let frames = control.receive() { receive(frames, on: control) }
        }
        watchParent()
        publish("status", ["execution_state": "starting"], parent: nil)
        while true {
            // A signal (an interrupt while idle) ends the wait early; the loop simply waits again.
            guard shell.hasMessage(within: 1000), let frames = shell.receive() else { continue }
            receive(frames, on: shell)
        }
    }

    /// Decodes and handles one request; a message that fails its signature is dropped and logged.
    func receive(_ frames: [[UInt8]], on socket: Socket) {
        let message: Message
        do {
            message = try Message.decode(frames, signer: signer)
        } catch {
            log("ignored \(error) on the \(socket.name) socket")
            return
        }
        publish("status", ["execution_state": "busy"], parent: message)
        handle(message, on: socket)
        publish("status", ["execution_state": "idle"], parent: message)
    }

    /// Sends a reply on the socket the request came from.
    func reply(_ request: Message, on socket: Socket, _ content: JSON) {
        let type = request.type.hasSuffix("_request") ? String(request.type.dropLast("_request".count)) + "_reply" : request.type + "_reply"
        let message = Message(type: type, session: sessionID, content: content, parent: request)
        socket.send(message.encode(signer: signer))
    }

    /// Publishes on iopub, answering `parent`.
    func publish(_ type: String, _ content: JSON, parent: Message?) {
        var message = Message(type: type, session: sessionID, content: content, parent: parent)
        // iopub's routing "identity" is its topic: the message type, as ipykernel does.
        message.identities = [Array("kernel.\(sessionID).\(type)".utf8)]
        iopubLock.lock()
        defer { iopubLock.unlock() }
        iopub.send(message.encode(signer: signer))
    }

    /// From now on, forwarded stdout/stderr text belongs to `request`'s outputs.
    func setStreamParent(_ request: Message?) {
        fflush(nil)
        iopubLock.lock()
        streamParent = request
        iopubLock.unlock()
    }

    /// Publishes `text` as a stream, answering the current request.
    func publishStream(_ name: String, _ text: String) {
        iopubLock.lock()
        let parent = streamParent
        iopubLock.unlock()
        publish("stream", ["name": name, "text": text], parent: parent)
    }

    /// Stops at once, after the reply had time to leave: ZeroMQ sends from its own thread, and
    /// `_exit` leaves no thread inside libzmq's exit handlers.
    func exitProcess(_ code: Int32) -> Never {
        fflush(nil)
        usleep(100_000)
        _exit(code)
    }

    /// A line in the kernel's own log (the terminal or file Jupyter gave as stderr).
    func log(_ text: String) {
        let line = "loupe kernel: \(text)\n"
        _ = line.withCString { write(logDescriptor, $0, strlen($0)) }
    }

    /// Replaces fd 1 and 2 with pipes whose text is published as `stream` messages, so that
    /// whatever a C library prints reaches the notebook.
    private func forwardOutput() {
        logDescriptor = dup(STDERR_FILENO)
        for (fd, name) in [(STDOUT_FILENO, "stdout"), (STDERR_FILENO, "stderr")] {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0, dup2(ends[1], fd) >= 0 else { continue }
            close(ends[1])
            let readEnd = ends[0]
            startThread("forward \(name)") { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = read(readEnd, &buffer, buffer.count)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return }
                    publishStream(name, String(decoding: buffer[..<n], as: UTF8.self))
                }
            }
        }
    }

    /// jupyter_client names the process that started the kernel in `JPY_PARENT_PID`; when that
    /// process dies (the kernel is re-parented), the kernel leaves too, as ipykernel does,
    /// instead of running on with nobody to talk to.
    private func watchParent() {
        guard let text = ProcessInfo.processInfo.environment["JPY_PARENT_PID"], let parent = Int32(text), parent > 1,
              getppid() == parent else { return }
        startThread("parent watch") { [self] in
            while true {
                sleep(1)
                if getppid() != parent {
                    log("the client process \(parent) is gone: leaving")
                    _exit(0)
                }
            }
        }
    }

    private func startThread(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }
}

/// SIGINT (Jupyter's interrupt, `interrupt_mode: signal`) asks the running command to stop at
/// its next safe point; the kernel itself never dies of it.
enum KernelSignals {
    static let interruption = InterruptFlag()

    /// Without SA_RESTART, so a blocking wait returns EINTR (and is retried by the caller).
    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in KernelSignals.interruption.request() }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        signal(SIGPIPE, SIG_IGN)
    }
}
