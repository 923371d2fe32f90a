import XCTest
import TensorCore
import NeuralNet

/// Every convolution of the benchmark networks runs a JIT kernel: oneDNN falls back to its
/// reference kernels (`ref:…`, many times slower) without a word when a memory descriptor is
/// off, so each primitive is asked for its implementation name
/// (`dnnl_primitive_desc_query(…, dnnl_query_impl_info_str, …)`).
final class ConvolutionImplementationTests: XCTestCase {
    func assertNoReference(_ name: String, _ config: ResNetConfig, batch: Int, size: Int) {
        let model = ResNet(config, seed: 1)
        let impls = model.convolutionImplementations(batch: batch, height: size, width: size)
        XCTAssertGreaterThanOrEqual(impls.count, 3 * model.convolutions.count, name)
        for c in impls where c.isReference {
            XCTFail("\(name) \(c.layer) \(c.shape) \(c.pass): \(c.implementation) (oneDNN \(OneDNN.version), ISA \(OneDNN.isa))")
        }
    }

    func testResNet18SmallStemTraining() throws {
        assertNoReference("r18s", try ResNetConfig.resnet(depth: 18, classes: 10, inputChannels: 3, stem: .small), batch: 64, size: 32)
    }

    func testResNet20Training() throws {
        assertNoReference("r20", try ResNetConfig.resnet(depth: 20, classes: 10, inputChannels: 1), batch: 128, size: 28)
    }

    func testResNet18At224() throws {
        let config = try ResNetConfig.resnet(depth: 18, classes: 1000, inputChannels: 3, stem: .imagenet)
        assertNoReference("r18 batch 1", config, batch: 1, size: 224)
        assertNoReference("r18 batch 32", config, batch: 32, size: 224)
    }

    func testResNet50At224() throws {
        let config = try ResNetConfig.resnet(depth: 50, classes: 1000, inputChannels: 3, stem: .imagenet)
        assertNoReference("r50 batch 1", config, batch: 1, size: 224)
        assertNoReference("r50 batch 32", config, batch: 32, size: 224)
    }
}
