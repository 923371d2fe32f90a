import LoupeLang

// libFuzzer entry point: any text is lexed, parsed and, when it parses, run; it must end in a
// value or a LoupeError, never a trap, a stack overflow or a hang. The commands are LoupeLang's
// session commands without those that touch files or wait (save_session, source, export, sleep).
nonisolated(unsafe) let registry: CommandRegistry = {
    var r = CommandRegistry()
    for (name, spec) in CommandRegistry.standard().commands.sorted(by: { $0.key < $1.key })
    where !["save_session", "source", "export", "sleep", "workdir"].contains(name) {
        r.register(spec)
    }
    return r
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScript(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let interpreter = Interpreter(registry: registry)
    var session = Session()
    let context = RunContext(output: { _ in }, showsExpressionValues: true)
    _ = Lexer.needsMoreInput(text)
    try? interpreter.run(SourceFile(name: "fuzz.loupe", text: text), in: &session, context: context)
    _ = session.replayScript()
    return 0
}
