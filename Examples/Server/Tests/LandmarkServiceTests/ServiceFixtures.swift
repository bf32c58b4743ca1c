import FaceKeypoints
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LandmarkService
import NIOCore
import Testing

/// The shared data (`FACEKEYPOINTS_DATA`, or `../shared/data` beside the repository) and helpers
/// the route tests share.
enum Fixtures {
    static var data: URL {
        if let custom = ProcessInfo.processInfo.environment["FACEKEYPOINTS_DATA"] {
            return URL(fileURLWithPath: custom)
        }
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// One of dlib's example photos with several faces.
    static func photo(_ name: String = "2008_002470.jpg") throws -> Data {
        try Data(contentsOf: data.appendingPathComponent("dlib_examples/\(name)"))
    }

    /// One service for the tests that keep the defaults (loading the model once).
    static let service: LandmarkService = {
        do { return try LandmarkService(configuration: ServiceConfiguration()) } catch {
            fatalError("the landmark service does not start: \(error)")
        }
    }()

    /// A service with `change` applied to the defaults.
    static func service(_ change: (inout ServiceConfiguration) -> Void) throws -> LandmarkService {
        var configuration = ServiceConfiguration()
        change(&configuration)
        return try LandmarkService(configuration: configuration)
    }

    /// `body` sent to `uri` with `method`, answered by `service`'s router.
    static func send(
        _ method: HTTPRequest.Method = .post, _ uri: String = "/v1/landmarks",
        to service: LandmarkService = Fixtures.service,
        headers: HTTPFields = [.contentType: "image/jpeg"], body: Data = Data()
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, body: Data) {
        let application = Application(router: service.router())
        return try await application.test(.router) { client in
            try await client.execute(
                uri: uri, method: method, headers: headers, body: ByteBuffer(bytes: body)
            ) { response in
                (response.status, response.headers, Data(response.body.readableBytesView))
            }
        }
    }

    /// The JSON object of a response body.
    static func object(_ body: Data) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: body) as? [String: Any], "\(String(decoding: body, as: UTF8.self))")
    }

    /// A multipart form of one file field.
    static func form(
        field: String = "photo", fileName: String?, type: String = "image/jpeg", _ bytes: Data
    )
        -> (headers: HTTPFields, body: Data)
    {
        let boundary = "----keypoints-test-boundary"
        var body = Data("--\(boundary)\r\n".utf8)
        let disposition = "form-data; name=\"\(field)\"" + (fileName.map { "; filename=\"\($0)\"" } ?? "")
        body += Data("Content-Disposition: \(disposition)\r\nContent-Type: \(type)\r\n\r\n".utf8)
        body += bytes
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], body)
    }

    /// `png` with its IHDR declaring `width` x `height`, CRC fixed: a small file that claims a
    /// huge image, as a decompression bomb does.
    static func png(_ png: Data, declaringWidth width: UInt32, height: UInt32) -> Data {
        var bytes = [UInt8](png)
        func bigEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        // Signature (8), length (4), "IHDR" (4), width (4), height (4), ..., CRC over type and data (17 bytes).
        bytes.replaceSubrange(16..<20, with: bigEndian(width))
        bytes.replaceSubrange(20..<24, with: bigEndian(height))
        bytes.replaceSubrange(29..<33, with: bigEndian(crc32(bytes[12..<29])))
        return Data(bytes)
    }

    private static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
