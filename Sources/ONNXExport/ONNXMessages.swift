// The ONNX messages Loupe writes, with their field numbers from onnx/onnx.proto (IR version 8;
// onnx.proto is proto2: repeated scalars are written unpacked, the default there).
// Only the fields Loupe sets are here; a reader skips nothing it needs.

/// TensorProto.DataType values used here.
public enum ONNXDataType: Int, Sendable { case float = 1, int64 = 7 }

/// AttributeProto.AttributeType values used here.
enum ONNXAttributeType: Int { case float = 1, int = 2, string = 3, ints = 7 }

/// One operator attribute (AttributeProto).
public struct ONNXAttribute: Sendable {
    public enum Value: Sendable { case int(Int), ints([Int]), float(Float), string(String) }
    public var name: String
    public var value: Value
    public init(_ name: String, _ value: Value) { self.name = name; self.value = value }

    /// name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20.
    var message: ProtoMessage {
        var m = ProtoMessage()
        m.string(1, name)
        switch value {
        case .float(let f): m.float(2, f); m.int(20, ONNXAttributeType.float.rawValue)
        case .int(let i): m.int(3, i); m.int(20, ONNXAttributeType.int.rawValue)
        case .string(let s): m.string(4, s); m.int(20, ONNXAttributeType.string.rawValue)
        case .ints(let xs): for x in xs { m.int(8, x) }; m.int(20, ONNXAttributeType.ints.rawValue)
        }
        return m
    }
}

/// One operator application (NodeProto).
public struct ONNXNode: Sendable {
    public var op: String, name: String
    public var inputs: [String], outputs: [String]
    public var attributes: [ONNXAttribute]
    public init(_ op: String, name: String, inputs: [String], outputs: [String], attributes: [ONNXAttribute] = []) {
        self.op = op; self.name = name; self.inputs = inputs; self.outputs = outputs; self.attributes = attributes
    }

    /// input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    var message: ProtoMessage {
        var m = ProtoMessage()
        for i in inputs { m.string(1, i) }
        for o in outputs { m.string(2, o) }
        m.string(3, name)
        m.string(4, op)
        for a in attributes { m.message(5, a.message) }
        return m
    }
}

/// A constant tensor (TensorProto), float32 stored as raw little-endian bytes.
public struct ONNXTensor: Sendable {
    public var name: String, dims: [Int], values: [Float]
    public init(name: String, dims: [Int], values: [Float]) {
        precondition(dims.reduce(1, *) == values.count, "\(name): \(values.count) values for dims \(dims)")
        self.name = name; self.dims = dims; self.values = values
    }

    /// dims = 1, data_type = 2, name = 8, raw_data = 9.
    var message: ProtoMessage {
        var m = ProtoMessage()
        for d in dims { m.int(1, d) }
        m.int(2, ONNXDataType.float.rawValue)
        m.string(8, name)
        m.rawFloats(9, values)
        return m
    }
}

/// A graph input or output (ValueInfoProto) of tensor type: a dimension is a number or a name.
public struct ONNXValueInfo: Sendable {
    public enum Dim: Sendable, Equatable { case value(Int), param(String) }
    public var name: String, elementType: ONNXDataType, shape: [Dim]
    public init(name: String, elementType: ONNXDataType = .float, shape: [Dim]) {
        self.name = name; self.elementType = elementType; self.shape = shape
    }

    /// ValueInfoProto: name = 1, type = 2. TypeProto: tensor_type = 1. TypeProto.Tensor:
    /// elem_type = 1, shape = 2. TensorShapeProto: dim = 1. Dimension: dim_value = 1, dim_param = 2.
    var message: ProtoMessage {
        var shapeMessage = ProtoMessage()
        for d in shape {
            var dim = ProtoMessage()
            switch d {
            case .value(let v): dim.int(1, v)
            case .param(let p): dim.string(2, p)
            }
            shapeMessage.message(1, dim)
        }
        var tensorType = ProtoMessage()
        tensorType.int(1, elementType.rawValue)
        tensorType.message(2, shapeMessage)
        var type = ProtoMessage()
        type.message(1, tensorType)
        var m = ProtoMessage()
        m.string(1, name)
        m.message(2, type)
        return m
    }
}

/// A computation graph (GraphProto).
public struct ONNXGraph: Sendable {
    public var name: String
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValueInfo] = []
    public var outputs: [ONNXValueInfo] = []
    public init(name: String) { self.name = name }

    /// node = 1, name = 2, initializer = 5, input = 11, output = 12.
    var message: ProtoMessage {
        var m = ProtoMessage()
        for n in nodes { m.message(1, n.message) }
        m.string(2, name)
        for t in initializers { m.message(5, t.message) }
        for i in inputs { m.message(11, i.message) }
        for o in outputs { m.message(12, o.message) }
        return m
    }
}

/// A whole model file (ModelProto).
public struct ONNXModel: Sendable {
    public var irVersion = 8
    /// Operator sets by domain ("" is the default ONNX domain).
    public var opsets: [(domain: String, version: Int)] = [("", 17)]
    public var producerName = "Loupe", producerVersion = ""
    public var modelVersion = 1
    public var docString = ""
    public var graph: ONNXGraph
    /// metadata_props, in order.
    public var metadata: [(key: String, value: String)] = []
    public init(graph: ONNXGraph) { self.graph = graph }

    /// ir_version = 1, producer_name = 2, producer_version = 3, model_version = 5,
    /// doc_string = 6, graph = 7, opset_import = 8, metadata_props = 14.
    /// OperatorSetIdProto: domain = 1, version = 2. StringStringEntryProto: key = 1, value = 2.
    public var message: ProtoMessage {
        var m = ProtoMessage()
        m.int(1, irVersion)
        m.string(2, producerName)
        m.string(3, producerVersion)
        m.int(5, modelVersion)
        if !docString.isEmpty { m.string(6, docString) }
        m.message(7, graph.message)
        for o in opsets {
            var opset = ProtoMessage()
            opset.string(1, o.domain)
            opset.int(2, o.version)
            m.message(8, opset)
        }
        for (k, v) in metadata {
            var entry = ProtoMessage()
            entry.string(1, k)
            entry.string(2, v)
            m.message(14, entry)
        }
        return m
    }
}
