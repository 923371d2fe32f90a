/// A pickle interpreter that understands only what a PyTorch state dict is made of.
///
/// It implements the protocol-2 opcodes torch.save emits for a state dict (plus a few
/// harmless neighbours: lists, None, True, floats, and protocol-4 framing) and resolves only
/// the globals in `AllowedGlobal`. Any other opcode or global stops it with an error naming
/// it. Nothing from the file is ever called: REDUCE and BUILD are interpreted here, for the
/// allowed globals only.
struct RestrictedUnpickler {
    private let bytes: ArraySlice<UInt8>
    private let source: String
    /// Turns a persistent id `('storage', type, key, location, numel)` into a storage.
    private let loadStorage: (_ type: FileElementType, _ key: String, _ elementCount: Int, _ offset: Int) throws(ModelFileError) -> StorageReference

    /// Opcodes this pickle may execute. Every value the machine holds was made by an opcode,
    /// so this bounds its memory however the pickle nests or repeats things; a state dict needs
    /// about 30 per tensor.
    private let maxOpcodes: Int
    private var opcodeCount = 0
    private var p: Int
    private var opcodeStart: Int
    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init(
        _ bytes: ArraySlice<UInt8>, source: String, limits: FileLimits,
        loadStorage: @escaping (FileElementType, String, Int, Int) throws(ModelFileError) -> StorageReference
    ) {
        self.bytes = bytes
        self.source = source
        let (perTensor, overflow) = limits.maxTensorCount.multipliedReportingOverflow(by: 64)
        self.maxOpcodes = overflow ? Int.max : perTensor.addingReportingOverflow(65_536).partialValue
        self.loadStorage = loadStorage
        self.p = bytes.startIndex
        self.opcodeStart = bytes.startIndex
    }

    /// Runs the pickle to its STOP opcode and returns the value it built.
    mutating func run() throws(ModelFileError) -> PickleValue {
        while true {
            opcodeStart = p
            opcodeCount += 1
            guard opcodeCount <= maxOpcodes else {
                throw .overLimit(path: source, what: "the number of pickle opcodes", value: "at least \(opcodeCount)",
                                 limit: "\(maxOpcodes) (64 per tensor of FileLimits.maxTensorCount, plus 65536)")
            }
            let opcode = try byte()
            switch opcode {
            case 0x80:  // PROTO
                let version = try byte()
                guard version <= 5 else { throw fail("pickle protocol \(version) is newer than any Loupe knows") }
            case 0x95: _ = try take(8)  // FRAME: a length hint, meaningless when all bytes are in memory.
            case UInt8(ascii: "."):  // STOP
                guard stack.count == 1, marks.isEmpty else { throw fail("STOP with \(stack.count) values on the stack") }
                return stack[0]
            case UInt8(ascii: "("): marks.append(stack.count)  // MARK
            case UInt8(ascii: "}"): stack.append(.dict(PickleDict()))  // EMPTY_DICT
            case UInt8(ascii: "]"): stack.append(.list(PickleList()))  // EMPTY_LIST
            case UInt8(ascii: ")"): stack.append(.tuple([], depth: 1))  // EMPTY_TUPLE
            case UInt8(ascii: "t"): stack.append(try tuple(try popToMark()))  // TUPLE
            case 0x85, 0x86, 0x87:  // TUPLE1, TUPLE2, TUPLE3
                let n = Int(opcode - 0x84)
                stack.append(try tuple(try pop(n)))
            case UInt8(ascii: "N"): stack.append(.none)
            case 0x88: stack.append(.bool(true))  // NEWTRUE
            case 0x89: stack.append(.bool(false))  // NEWFALSE
            case UInt8(ascii: "J"): stack.append(.int(Int64(Int32(bitPattern: try littleEndian(UInt32.self)))))  // BININT
            case UInt8(ascii: "K"): stack.append(.int(Int64(try byte())))  // BININT1
            case UInt8(ascii: "M"): stack.append(.int(Int64(try littleEndian(UInt16.self))))  // BININT2
            case 0x8A: stack.append(.int(try long1()))  // LONG1
            case UInt8(ascii: "G"):  // BINFLOAT, big-endian
                let range = try take(8)
                stack.append(.float(Double(bitPattern: range.reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[$1]) })))
            case UInt8(ascii: "X"): stack.append(.string(try text(length: Int(try littleEndian(UInt32.self)))))  // BINUNICODE
            case 0x8C: stack.append(.string(try text(length: Int(try byte()))))  // SHORT_BINUNICODE
            case UInt8(ascii: "q"): memo[Int(try byte())] = try top()  // BINPUT
            case UInt8(ascii: "r"): memo[Int(try littleEndian(UInt32.self))] = try top()  // LONG_BINPUT
            case 0x94: memo[memo.count] = try top()  // MEMOIZE
            case UInt8(ascii: "h"): stack.append(try memoValue(Int(try byte())))  // BINGET
            case UInt8(ascii: "j"): stack.append(try memoValue(Int(try littleEndian(UInt32.self))))  // LONG_BINGET
            case UInt8(ascii: "c"): stack.append(.global(try global()))  // GLOBAL
            case UInt8(ascii: "R"):  // REDUCE
                let args = try pop(1)[0]
                let callable = try pop(1)[0]
                stack.append(try reduce(callable, args))
            case UInt8(ascii: "b"):  // BUILD: only OrderedDict's `_metadata` attribute, which Loupe does not need.
                _ = try pop(1)
                guard case .dict = try top() else { throw fail("BUILD on \(try top().kind)") }
            case UInt8(ascii: "s"):  // SETITEM
                let pair = try pop(2)
                let dict = try dictOnTop()
                try place(pair, into: dict.depth, frozen: { dict.frozen }, update: { dict.depth = $0 })
                dict.items.append((pair[0], pair[1]))
            case UInt8(ascii: "u"):  // SETITEMS
                let flat = try popToMark()
                guard flat.count % 2 == 0 else { throw fail("SETITEMS with an odd number of values") }
                let dict = try dictOnTop()
                try place(flat, into: dict.depth, frozen: { dict.frozen }, update: { dict.depth = $0 })
                for i in stride(from: 0, to: flat.count, by: 2) { dict.items.append((flat[i], flat[i + 1])) }
            case UInt8(ascii: "a"):  // APPEND
                let value = try pop(1)
                let list = try listOnTop()
                try place(value, into: list.depth, frozen: { list.frozen }, update: { list.depth = $0 })
                list.elements.append(value[0])
            case UInt8(ascii: "e"):  // APPENDS
                let values = try popToMark()
                let list = try listOnTop()
                try place(values, into: list.depth, frozen: { list.frozen }, update: { list.depth = $0 })
                list.elements.append(contentsOf: values)
            case UInt8(ascii: "Q"): stack.append(try persistentLoad(try pop(1)[0]))  // BINPERSID
            default:
                throw .unsupportedOpcode(path: source, opcode: opcode, offset: opcodeStart - bytes.startIndex)
            }
        }
    }

    /// Deepest nesting of tuples, lists and dicts accepted; a state dict needs 4, a checkpoint
    /// with its optimizer state about 8. Deeper values would overflow the stack when freed.
    static let maxNesting = 100

    /// A tuple of `items`, which are frozen; refused past `maxNesting`.
    private func tuple(_ items: [PickleValue]) throws(ModelFileError) -> PickleValue {
        let depth = 1 + (items.map(\.nesting).max() ?? 0)
        guard depth <= RestrictedUnpickler.maxNesting else { throw tooDeep() }
        for item in items { item.freeze() }
        return .tuple(items, depth: depth)
    }

    /// Checks `values` before they go into a container of depth `depth`: they are frozen first,
    /// so a container placed into itself is caught as frozen; `update` receives the new depth.
    private func place(_ values: [PickleValue], into depth: Int, frozen: () -> Bool,
                       update: (Int) -> Void) throws(ModelFileError) {
        for value in values { value.freeze() }
        guard !frozen() else {
            throw fail("a list or dict changes after it was placed inside another value (a pickle that refers to itself)")
        }
        let deepest = 1 + (values.map(\.nesting).max() ?? 0)
        guard deepest <= RestrictedUnpickler.maxNesting else { throw tooDeep() }
        update(max(depth, deepest))
    }

    private func tooDeep() -> ModelFileError {
        .overLimit(path: source, what: "the nesting of the pickle's tuples, lists and dicts",
                   value: "more than \(RestrictedUnpickler.maxNesting) levels", limit: "\(RestrictedUnpickler.maxNesting) levels")
    }

    private func fail(_ reason: String) -> ModelFileError {
        .malformedPickle(path: source, offset: opcodeStart - bytes.startIndex, reason: reason)
    }

    /// Advances over `n` argument bytes, which must be present.
    private mutating func take(_ n: Int) throws(ModelFileError) -> Range<Int> {
        guard n <= bytes.endIndex - p else { throw fail("the pickle ends in the middle of an opcode") }
        defer { p += n }
        return p..<(p + n)
    }

    private mutating func byte() throws(ModelFileError) -> UInt8 {
        bytes[try take(1).lowerBound]
    }

    private mutating func littleEndian<Word: FixedWidthInteger>(_: Word.Type) throws(ModelFileError) -> Word {
        let range = try take(MemoryLayout<Word>.size)
        return range.reversed().reduce(Word(0)) { $0 << 8 | Word(bytes[$1]) }
    }

    /// LONG1: a little-endian two's-complement integer of up to 255 bytes; Loupe needs 64 bits at most.
    private mutating func long1() throws(ModelFileError) -> Int64 {
        let n = Int(try byte())
        let range = try take(n)
        guard n <= 8 else { throw .overLimit(path: source, what: "an integer in the pickle", value: "\(n) bytes long", limit: "8 bytes") }
        guard n > 0 else { return 0 }
        let unsigned = range.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[$1]) }
        let shift = UInt64(64 - 8 * n)
        return Int64(bitPattern: unsigned << shift) >> Int64(shift)  // sign-extend
    }

    private mutating func text(length: Int) throws(ModelFileError) -> String {
        let range = try take(length)
        guard let s = String(validating: bytes[range], as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
        return s
    }

    /// GLOBAL's two newline-terminated lines; anything outside `AllowedGlobal` is refused here,
    /// before it could be used.
    private mutating func global() throws(ModelFileError) -> AllowedGlobal {
        func line() throws(ModelFileError) -> String {
            guard let newline = bytes[p...].firstIndex(of: 0x0A) else { throw fail("GLOBAL without a newline") }
            defer { p = newline + 1 }
            return String(decoding: bytes[p..<newline], as: UTF8.self)
        }
        let module = try line()
        let name = try line()
        guard let allowed = AllowedGlobal(module: module, name: name) else {
            throw .foreignGlobal(path: source, module: module, name: name)
        }
        return allowed
    }

    private func top() throws(ModelFileError) -> PickleValue {
        guard let last = stack.last, stack.count > (marks.last ?? 0) else { throw fail("the stack is empty") }
        return last
    }

    private mutating func pop(_ n: Int) throws(ModelFileError) -> [PickleValue] {
        guard stack.count - n >= (marks.last ?? 0) else { throw fail("the stack holds too few values") }
        defer { stack.removeLast(n) }
        return Array(stack.suffix(n))
    }

    private mutating func popToMark() throws(ModelFileError) -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("no MARK to pop to") }
        defer { stack.removeSubrange(mark...) }
        return Array(stack[mark...])
    }

    private func memoValue(_ key: Int) throws(ModelFileError) -> PickleValue {
        guard let value = memo[key] else { throw fail("memo entry \(key) was never stored") }
        return value
    }

    private func dictOnTop() throws(ModelFileError) -> PickleDict {
        guard case .dict(let dict) = try top() else { throw fail("setting items on \(try top().kind)") }
        return dict
    }

    private func listOnTop() throws(ModelFileError) -> PickleList {
        guard case .list(let list) = try top() else { throw fail("appending to \(try top().kind)") }
        return list
    }

    /// REDUCE for the two callable globals: `OrderedDict()` and `_rebuild_tensor_v2(...)`.
    private func reduce(_ callable: PickleValue, _ args: PickleValue) throws(ModelFileError) -> PickleValue {
        guard case .global(let global) = callable, case .tuple(let a, _) = args else {
            throw fail("REDUCE calls \(callable.kind) with \(args.kind)")
        }
        switch global {
        case .orderedDict:
            guard a.isEmpty else { throw fail("OrderedDict called with arguments") }
            return .dict(PickleDict())
        case .rebuildTensorV2:
            // (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])
            guard a.count == 6 || a.count == 7, case .storage(let storage) = a[0], case .int(let offset) = a[1],
                  let shape = integers(a[2]), let stride = integers(a[3]) else {
                throw fail("_rebuild_tensor_v2 called with arguments other than (storage, offset, size, stride, …)")
            }
            guard shape.count == stride.count else { throw fail("a tensor's size and stride have different lengths") }
            return .tensor(TensorRecipe(storage: storage, offset: Int(offset), shape: shape, stride: stride))
        case .storageType:
            throw fail("REDUCE calls \(global), which torch.save never calls")
        }
    }

    private func integers(_ value: PickleValue) -> [Int]? {
        guard case .tuple(let items, _) = value else { return nil }
        var result: [Int] = []
        for item in items {
            guard case .int(let n) = item else { return nil }
            result.append(Int(n))
        }
        return result
    }

    /// BINPERSID: torch.save's `('storage', StorageType, key, location, numel)`.
    private func persistentLoad(_ pid: PickleValue) throws(ModelFileError) -> PickleValue {
        guard case .tuple(let t, _) = pid, t.count == 5, case .string("storage") = t[0],
              case .global(.storageType(let type, _)) = t[1], case .string(let key) = t[2],
              case .int(let count) = t[4], count >= 0 else {
            throw fail("a persistent id other than ('storage', type, key, location, numel)")
        }
        return .storage(try loadStorage(type, key, Int(count), opcodeStart - bytes.startIndex))
    }
}
