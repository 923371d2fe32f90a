import CDNNL

// oneDNN (Debian's libdnnl, C API) as the engine uses it: one CPU engine and one in-order
// stream per process, memory descriptors for plain f32 tensors, and primitives that own their
// descriptor and are executed with caller-owned buffers (memory objects are created without
// storage and pointed at the buffers on each call).

/// Process-wide oneDNN state: the CPU engine and its stream.
public final class OneDNN: @unchecked Sendable {
    public static let shared = OneDNN()
    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    private init() {
        var e: dnnl_engine_t?
        OneDNN.check(dnnl_engine_create(&e, dnnl_cpu, 0), "creating the CPU engine")
        var s: dnnl_stream_t?
        OneDNN.check(dnnl_stream_create(&s, e, dnnl_stream_default_flags.rawValue), "creating a stream")
        engine = e!; stream = s!
    }

    /// Stops the program with a message naming what failed, when `status` is not success.
    /// A failure here is a programming error (a descriptor the library rejects) or an
    /// allocation failure inside the library, neither of which a caller could recover from.
    public static func check(_ status: dnnl_status_t, _ what: @autoclosure () -> String) {
        guard status != dnnl_success else { return }
        let reason: String
        switch status {
        case dnnl_out_of_memory: reason = "out of memory"
        case dnnl_invalid_arguments: reason = "invalid arguments"
        case dnnl_unimplemented: reason = "unimplemented (no implementation for these descriptors)"
        case dnnl_runtime_error: reason = "runtime error"
        default: reason = "status \(status.rawValue)"
        }
        fatalError("oneDNN: \(what()): \(reason)")
    }

    /// The library's version and threading runtime, e.g. "2.6.3 (OpenMP)".
    public static var version: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        let runtime = v.cpu_runtime == UInt32(DNNL_RUNTIME_OMP) ? "OpenMP" : "runtime \(v.cpu_runtime)"
        return "\(v.major).\(v.minor).\(v.patch) (\(runtime))"
    }

    /// The instruction set oneDNN's JIT generates code for on this CPU (after `DNNL_MAX_CPU_ISA`).
    public static var isa: String {
        let isa = dnnl_get_effective_cpu_isa()
        switch isa {
        case dnnl_cpu_isa_sse41: return "SSE4.1"
        case dnnl_cpu_isa_avx: return "AVX"
        case dnnl_cpu_isa_avx2: return "AVX2"
        case dnnl_cpu_isa_avx512_mic, dnnl_cpu_isa_avx512_mic_4ops: return "AVX-512 (MIC)"
        case dnnl_cpu_isa_avx512_core: return "AVX-512"
        case dnnl_cpu_isa_avx512_core_vnni: return "AVX-512 VNNI"
        case dnnl_cpu_isa_avx512_core_bf16: return "AVX-512 BF16"
        case dnnl_cpu_isa_avx512_core_amx: return "AVX-512 AMX"
        case dnnl_cpu_isa_avx2_vnni: return "AVX2 VNNI"
        default: return "isa \(isa.rawValue)"
        }
    }

    /// Whether oneDNN generates AVX-512 code for general-purpose cores here (where it has
    /// Winograd kernels of its own); false on AVX2 CPUs and under `DNNL_MAX_CPU_ISA=AVX2`.
    public static var hasAVX512Core: Bool {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_avx512_core, dnnl_cpu_isa_avx512_core_vnni, dnnl_cpu_isa_avx512_core_bf16, dnnl_cpu_isa_avx512_core_amx: return true
        default: return false
        }
    }

    /// A descriptor of a dense f32 tensor with `dims` (oneDNN's logical order: N, C, H, W for
    /// activations, OC, C, KH, KW for weights) laid out as `tag`.
    static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t, _ what: @autoclosure () -> String) -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let d = dims.map(Int64.init)
        check(dnnl_memory_desc_init_by_tag(&md, Int32(d.count), d, dnnl_f32, tag), "\(what()): memory descriptor \(dims)")
        return md
    }
}

/// A memory object without storage of its own: `bind` points it at a caller's buffer.
final class OneDNNMemory {
    var descriptor: dnnl_memory_desc_t
    let memory: dnnl_memory_t
    let bytes: Int

    init(_ md: dnnl_memory_desc_t, _ what: @autoclosure () -> String) {
        descriptor = md
        var m: dnnl_memory_t?
        OneDNN.check(dnnl_memory_create(&m, &descriptor, OneDNN.shared.engine, nil), "\(what()): memory object")
        memory = m!
        bytes = dnnl_memory_desc_get_size(&descriptor)
    }

    deinit { dnnl_memory_destroy(memory) }

    func bind(_ pointer: UnsafeRawPointer, _ what: @autoclosure () -> String) -> dnnl_memory_t {
        OneDNN.check(dnnl_memory_set_data_handle(memory, UnsafeMutableRawPointer(mutating: pointer)), "\(what()): data handle")
        return memory
    }

    func equals(_ other: dnnl_memory_desc_t) -> Bool {
        var o = other
        return dnnl_memory_desc_equal(&descriptor, &o) != 0
    }
}

/// An execution argument: which one, its memory object and the buffer it is to point at.
struct OneDNNBinding {
    let arg: Int32, memory: OneDNNMemory, buffer: UnsafeRawPointer
    init(_ arg: Int32, _ memory: OneDNNMemory, _ buffer: UnsafeRawPointer) {
        self.arg = arg; self.memory = memory; self.buffer = buffer
    }
}

/// A primitive descriptor and its primitive, created once and executed many times.
final class OneDNNPrimitive {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t
    let what: String

    /// Creates the primitive from an initialised operation descriptor (convolution, reorder…).
    init(descriptor pd: dnnl_primitive_desc_t, _ what: String) {
        descriptor = pd
        self.what = what
        var p: dnnl_primitive_t?
        OneDNN.check(dnnl_primitive_create(&p, pd), "\(what): primitive")
        primitive = p!
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// The memory descriptor the primitive chose for `query` (e.g. its weights).
    func memoryDescriptor(_ query: dnnl_query_t, index: Int32 = 0) -> dnnl_memory_desc_t {
        guard let md = dnnl_primitive_desc_query_md(descriptor, query, index) else {
            fatalError("oneDNN: \(what): no memory descriptor for query \(query.rawValue)")
        }
        return md.pointee
    }

    /// Bytes of user-managed scratchpad the primitive needs.
    lazy var scratchpadBytes: Int = {
        var md = memoryDescriptor(dnnl_query_scratchpad_md)
        return dnnl_memory_desc_get_size(&md)
    }()

    /// The implementation oneDNN picked, e.g. "jit:avx512_common" or "ref:any".
    var implementation: String {
        var name: UnsafePointer<CChar>?
        OneDNN.check(dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name), "\(what): implementation name")
        return name.map { String(cString: $0) } ?? "?"
    }

    private lazy var scratchpadMemory = OneDNNMemory(memoryDescriptor(dnnl_query_scratchpad_md), what)

    /// Appends the scratchpad argument when the primitive needs one (`buffer` holds `scratchpadBytes`).
    func addScratchpad(_ buffer: UnsafeMutableRawPointer?, to args: inout [(Int32, dnnl_memory_t)]) {
        guard scratchpadBytes > 0 else { return }
        guard let buffer else { fatalError("oneDNN: \(what): needs a scratchpad of \(scratchpadBytes) bytes") }
        args.append((Int32(DNNL_ARG_SCRATCHPAD), scratchpadMemory.bind(buffer, what)))
    }

    /// Points each memory at its buffer, adds the scratchpad, executes and waits.
    func run(_ bindings: [OneDNNBinding], scratchpad: UnsafeMutableRawPointer?) {
        var args = bindings.map { ($0.arg, $0.memory.bind($0.buffer, what)) }
        addScratchpad(scratchpad, to: &args)
        execute(args)
    }

    /// Executes on the shared stream and waits for the result.
    func execute(_ args: [(Int32, dnnl_memory_t)]) {
        let list = args.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1) }
        let s = OneDNN.shared.stream
        OneDNN.check(dnnl_primitive_execute(primitive, s, Int32(list.count), list), "\(what): execute")
        OneDNN.check(dnnl_stream_wait(s), "\(what): wait")
    }

    /// An attribute with a user-managed scratchpad (every primitive shares the caller's buffer
    /// instead of keeping its own) and the given post-ops (may be nil).
    static func attributes(postOps: dnnl_post_ops_t?, _ what: @autoclosure () -> String) -> dnnl_primitive_attr_t {
        var attr: dnnl_primitive_attr_t?
        OneDNN.check(dnnl_primitive_attr_create(&attr), "\(what()): attributes")
        OneDNN.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "\(what()): scratchpad mode")
        if let postOps { OneDNN.check(dnnl_primitive_attr_set_post_ops(attr, postOps), "\(what()): post-ops") }
        return attr!
    }
}

/// Copies a tensor from one layout to another (`accumulate`: adds into the destination).
final class OneDNNReorder {
    let source: OneDNNMemory, destination: OneDNNMemory
    let primitive: OneDNNPrimitive

    init(from src: dnnl_memory_desc_t, to dst: dnnl_memory_desc_t, accumulate: Bool = false, _ what: String) {
        source = OneDNNMemory(src, what); destination = OneDNNMemory(dst, what)
        var postOps: dnnl_post_ops_t?
        if accumulate {
            OneDNN.check(dnnl_post_ops_create(&postOps), "\(what): post-ops")
            OneDNN.check(dnnl_post_ops_append_sum(postOps, 1), "\(what): sum post-op")
        }
        let attr = OneDNNPrimitive.attributes(postOps: postOps, what)
        defer { dnnl_primitive_attr_destroy(attr); if let postOps { dnnl_post_ops_destroy(postOps) } }
        var pd: dnnl_primitive_desc_t?
        var s = src, d = dst
        let e = OneDNN.shared.engine
        OneDNN.check(dnnl_reorder_primitive_desc_create(&pd, &s, e, &d, e, attr), "\(what): reorder")
        primitive = OneDNNPrimitive(descriptor: pd!, what)
    }

    func execute(from: UnsafeRawPointer, to: UnsafeMutableRawPointer, scratchpad: UnsafeMutableRawPointer?) {
        var args = [(Int32(DNNL_ARG_FROM), source.bind(from, primitive.what)),
                    (Int32(DNNL_ARG_TO), destination.bind(to, primitive.what))]
        primitive.addScratchpad(scratchpad, to: &args)
        primitive.execute(args)
    }
}
