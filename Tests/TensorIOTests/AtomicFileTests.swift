import Foundation
import TensorIO
import Testing

struct AtomicFileTests {
    @Test func failedWriteNamesThePathAndTheStep() throws {
        let nowhere = FileManager.default.temporaryDirectory
            .appendingPathComponent("atomic-\(UUID().uuidString)/no/such/dir/metrics.json")
        let error = try #require(throws: AtomicFileError.self) { try AtomicFile.write(Data("{}".utf8), to: nowhere) }
        #expect(error.path == nowhere.path)
        #expect(error.step == .create)
        #expect(error.description.hasPrefix(nowhere.path + ": cannot create a temporary file in "))
        #expect(error.description.hasSuffix(": No such file or directory"))
        #expect(error.localizedDescription == error.description)
    }
}
