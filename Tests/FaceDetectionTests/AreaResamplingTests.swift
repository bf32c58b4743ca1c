import Tensor
import TestSupport
import Testing
import Vision

@testable import FaceDetection

@Suite("Area resampling against F.interpolate(mode: 'area')")
struct AreaResamplingTests {
    @Test(
        "non-integer ratios, down and up, equal PyTorch bit for bit",
        arguments: [("down", 23, 31), ("up", 50, 70), ("tiny", 5, 7), ("mixed", 24, 80)])
    func matchesPyTorch(name: String, height: Int, width: Int) throws {
        let fixture = try Fixture.shared("mtcnn_pipeline")
        let input = try fixture.tensor("area.input")
        let expected = try fixture.tensor("area.\(name)")
        let actual = AreaResampling.resampled(input, height: height, width: width)
        #expect(actual.shape == expected.shape)
        #expect(actual.scalars == expected.scalars, "\(differenceReport(actual, expected))")
    }

    @Test("an image resamples as its tensor does")
    func image() throws {
        let fixture = try Fixture.shared("mtcnn_pipeline")
        let input = try fixture.tensor("area.input")
        let image = Image(width: 53, height: 37, channels: 3, pixels: input.scalars)
        let small = AreaResampling.resampled(image, width: 31, height: 23)
        #expect(small.pixels == (try fixture.tensor("area.down")).scalars)
    }

    @Test("the same size is the identity; a 2x2 block averages")
    func simpleCases() {
        let t = Tensor(shape: [1, 1, 2, 2], values: [1, 2, 3, 4])
        #expect(AreaResampling.resampled(t, height: 2, width: 2).scalars == [1, 2, 3, 4])
        #expect(AreaResampling.resampled(t, height: 1, width: 1).scalars == [2.5])
    }
}
