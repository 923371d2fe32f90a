import CDNNL
import CWinograd

// Shapes: x [N, H, W, C] (NHWC), weight [OC, C, 3, 3] (PyTorch's layout), bias [OC] or none,
// y [N, H, W, OC]; 3x3 kernel, stride 1, padding 1.
//
// Winograd F(4x4, 3x3) convolutions of Loupe's own (the C target CWinograd: kernels for AVX2 + FMA
// and for AVX-512, the ISA oneDNN runs at), ahead of oneDNN's direct kernels and of its own
// Winograd (AVX-512 only, in oneDNN's blocked layout, OneDNNWinograd.swift).
// There the direct kernels do 144 multiply-adds per output pixel and channel pair where
// F(4x4, 3x3) does 36 plus the transforms; measured on Zen 4 under DNNL_MAX_CPU_ISA=AVX2
// (2 threads, batch 64, forward / input gradient / weight gradient, ms): 64 channels at 32x32
// 28 / 29 / 36 direct → 12 / 12 / 12; 128 at 16x16 28 / 25 / 29 → 9 / 9 / 10; 256 at 8x8
// 25 / 21 / 26 → 9 / 9 / 15 (the weight gradient ~10% more since its sums run in Double).
// Activations stay NHWC: the transforms read and write them directly.
// The arithmetic differs from the direct kernels' (the transforms round differently): within
// 1e-4 relative of the naive reference on the tests' layers.

/// Whether the engine runs its own Winograd kernels (`LOUPE_WINOGRAD=0` turns them off with oneDNN's).
public enum WinogradPolicy {
    /// Forward and input gradient: 3x3, stride 1, padding 1, channels in sixteens from 16 to 256,
    /// images 7x7 or more. Measured against oneDNN's direct kernels on Zen 4 (2 threads, batch 128,
    /// forward ms, AVX-512): ResNet-20's 16 channels at 28x28 1.5 against 2.6, 32 at 14x14 1.6–1.8
    /// against 2.3, 64 at 7x7 1.2–1.4 against 1.9 (there a quarter of each 8x8 of tiles is
    /// padding). 512 channels at 4x4 gain little and would add 38 MiB of transformed weight.
    static let minChannels = 16, maxChannels = 256, minSize = 7
    /// The weight gradient from 32 channels (16 measured slower than oneDNN's: 2.5 against 2.0
    /// ms); ResNet-20's 64 at 7x7 1.1 against 1.8 ms, 32 at 14x14 1.5 against 2.0. Its sums over
    /// the batch run in Double (CWinograd's `tiles_per_sum`): in Float, their rounding took
    /// DataParallelStepTests' agreement of 2 ranks with one process (ResNet-20, batch 15) to
    /// 1.3–1.5e-5, past issue 18's 1e-5.
    static let gradientMinChannels = 32, gradientMinSize = 7

    /// The kernels' instruction sets.
    public enum Kernels: String, CaseIterable, Sendable {
        case avx2, avx512
        var code: Int32 { self == .avx512 ? Int32(LOUPE_WINO_AVX512) : Int32(LOUPE_WINO_AVX2) }
        /// Whether this CPU runs them (AVX2 and FMA; AVX-512 F and VL besides).
        public var supported: Bool { loupe_wino_supported(code) != 0 }
    }

    /// The kernels in use: AVX-512 where oneDNN generates AVX-512 code (so that
    /// `DNNL_MAX_CPU_ISA=AVX2` emulates an AVX2 CPU for both), else AVX2; tests set it.
    nonisolated(unsafe) public static var kernels: Kernels = OneDNN.hasAVX512Core && Kernels.avx512.supported ? .avx512 : .avx2
    static var isa: Int32 { kernels.code }

    /// Whether this CPU runs the kernels at all (AVX2 and FMA).
    public static let supported = Kernels.avx2.supported

    /// On unless `LOUPE_WINOGRAD=0` (no Winograd) or `LOUPE_WINOGRAD=onednn` (oneDNN's only,
    /// AVX-512: for measuring one against the other); tests set it to check either path.
    nonisolated(unsafe) public static var active: Bool = supported && OneDNNWinogradPolicy.enabled && OneDNNWinogradPolicy.setting != "onednn"

    /// Whether the forward (training and inference) and the input gradient of a convolution of
    /// this geometry take these kernels now.
    public static func eligible(_ s: OneDNNConvolutionShape) -> Bool {
        active && s.kernel == 3 && s.stride == 1 && s.padding == 1
            && s.channels % 16 == 0 && s.outChannels % 16 == 0
            && min(s.channels, s.outChannels) >= minChannels && max(s.channels, s.outChannels) <= maxChannels
            && min(s.height, s.width) >= minSize
    }

    /// Whether its weight gradient does too (else oneDNN's direct kernels compute it).
    public static func takesWeightGradient(_ s: OneDNNConvolutionShape) -> Bool {
        eligible(s) && min(s.channels, s.outChannels) >= gradientMinChannels && min(s.height, s.width) >= gradientMinSize
    }

    /// The implementation name `Conv2D.implementations` reports for these kernels.
    public static var implementation: String { "loupe:winograd_4x3:\(kernels.rawValue)" }
}

/// The passes of one 3x3 convolution by Loupe's Winograd kernels, for one geometry.
public struct WinogradConvolution: Sendable {
    public let shape: OneDNNConvolutionShape
    /// Whether the weight gradient is these kernels' too (`WinogradPolicy.takesWeightGradient`).
    public let takesWeightGradient: Bool

    /// nil when the policy keeps this geometry on oneDNN.
    public init?(_ s: OneDNNConvolutionShape) {
        guard WinogradPolicy.eligible(s) else { return nil }
        shape = s
        takesWeightGradient = WinogradPolicy.takesWeightGradient(s)
    }

    private var n: Int32 { Int32(shape.batch) }
    private var h: Int32 { Int32(shape.height) }
    private var w: Int32 { Int32(shape.width) }
    private var c: Int32 { Int32(shape.channels) }
    private var oc: Int32 { Int32(shape.outChannels) }

    /// How a pass shares its work between OpenMP's threads (CWinograd's `LOUPE_WINO_*`, chosen
    /// by which moves less data between cores; winograd.c gives the measurements).
    public enum Split: Int32, Sendable {
        /// Chunks of tiles, each thread a contiguous block of them (a forward over many tiles).
        case chunks = 0
        /// Each thread its own contiguous share of the tiles (and, for the weight gradient, its
        /// own partial sum, added in thread order).
        case byTile = 1
        /// The tiles' 36 products split between threads by point.
        case byPoint = 2
    }
    /// The forward's and the input gradient's split with the present thread count.
    public var forwardSplit: Split { Split(rawValue: loupe_wino_forward_split(n, h, w, c, oc))! }
    public var inputGradientSplit: Split { Split(rawValue: loupe_wino_forward_split(n, h, w, oc, c))! }
    /// The weight gradient's.
    public var weightGradientSplit: Split { Split(rawValue: loupe_wino_weight_gradient_split(n, h, w, c, oc))! }

    /// Bytes of a transformed weight (the forward's or the input gradient's).
    public var weightBytes: Int { loupe_wino_weight_floats(c, oc) * 4 }
    /// Bytes of the work buffer of a forward or an input gradient.
    public var passWorkBytes: Int { max(loupe_wino_forward_work_floats(c, oc), loupe_wino_forward_work_floats(oc, c)) * 4 }
    /// Bytes of the work buffer of the weight gradient.
    public var gradientWorkBytes: Int { loupe_wino_weight_gradient_work_floats(n, h, w, c, oc) * 4 }

    /// The forward's transformed weight into `u` (`weightBytes`), each output channel's weights
    /// times `scale[o]` when given (a folded BatchNorm).
    public func prepareForward(weight: UnsafePointer<Float>, scale: UnsafePointer<Float>? = nil, into u: UnsafeMutableRawPointer) {
        loupe_wino_forward_weights(WinogradPolicy.isa, weight, c, oc, scale, u.assumingMemoryBound(to: Float.self))
    }

    /// The input gradient's transformed weight into `u` (`weightBytes`).
    public func prepareInputGradient(weight: UnsafePointer<Float>, into u: UnsafeMutableRawPointer) {
        loupe_wino_input_gradient_weights(WinogradPolicy.isa, weight, c, oc, u.assumingMemoryBound(to: Float.self))
    }

    /// y = relu?(conv(x) + bias? + residual?) with the forward's prepared weight `u`.
    public func forward(x: UnsafePointer<Float>, prepared u: UnsafeRawPointer, bias: UnsafePointer<Float>?,
                        residual: UnsafePointer<Float>? = nil, relu: Bool = false,
                        y: UnsafeMutablePointer<Float>, work: UnsafeMutableRawPointer) {
        loupe_wino_forward(WinogradPolicy.isa, x, n, h, w, c, u.assumingMemoryBound(to: Float.self), oc, bias, residual, relu ? 1 : 0,
                           y, work.assumingMemoryBound(to: Float.self))
    }

    /// dx (overwritten) from dy with the input gradient's prepared weight `u`.
    public func inputGradient(dy: UnsafePointer<Float>, prepared u: UnsafeRawPointer, dx: UnsafeMutablePointer<Float>,
                              work: UnsafeMutableRawPointer) {
        loupe_wino_forward(WinogradPolicy.isa, dy, n, h, w, oc, u.assumingMemoryBound(to: Float.self), c, nil, nil, 0,
                           dx, work.assumingMemoryBound(to: Float.self))
    }

    /// dw (PyTorch's layout) += the weight gradient over the batch.
    public func weightGradient(x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
                               work: UnsafeMutableRawPointer) {
        loupe_wino_weight_gradient(WinogradPolicy.isa, x, dy, n, h, w, c, oc, dw, work.assumingMemoryBound(to: Float.self))
    }
}
