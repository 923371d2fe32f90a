import XCTest
import TensorCore

/// The start-up choice of OpenBLAS kernels.
final class BLASCoreTypeTests: XCTestCase {
    let avx512: Set<String> = ["fma", "avx2", "avx512f", "avx512dq", "avx512bw", "avx512vl"]

    func testAVX512KernelsOnlyWhereTheCPUHasAVX512() {
        XCTAssertEqual(BLAS.preferredCoreType(cpuFlags: avx512, currentCore: "Haswell"), "SkylakeX")
        XCTAssertNil(BLAS.preferredCoreType(cpuFlags: ["fma", "avx2"], currentCore: "Zen"), "an AMD Zen 3 has no AVX-512")
        XCTAssertNil(BLAS.preferredCoreType(cpuFlags: ["avx512f", "avx2"], currentCore: "Haswell"), "AVX-512F alone is not enough")
    }

    func testKeepsAnAVX512ChoiceOpenBLASAlreadyMade() {
        XCTAssertNil(BLAS.preferredCoreType(cpuFlags: avx512, currentCore: "SkylakeX"))
        XCTAssertNil(BLAS.preferredCoreType(cpuFlags: avx512, currentCore: "Cooperlake"))
    }
}
