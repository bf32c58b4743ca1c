import FaceKeypoints
import Foundation
import HTTPTypes
import LandmarkService
import Testing

/// Every bad input the service can be sent: a 4xx with `{"error": "..."}` naming what was
/// wrong, never a 5xx, and the service answers the next good photo as before.
@Suite struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let method: HTTPRequest.Method
        let uri: String
        let headers: HTTPFields
        let body: Data
        let status: HTTPResponse.Status
        let message: String
        var testDescription: String { name }
    }

    /// The table of item 3, with what each gets (Docs/Serving.md lists it).
    static func cases() throws -> [Case] {
        let photo = try Fixtures.photo()
        let png = try Image(width: 8, height: 6, channels: 1, fill: 0.5).encoded(as: .png)
        var cases: [Case] = []
        func add(
            _ name: String, _ status: HTTPResponse.Status, _ message: String, method: HTTPRequest.Method = .post,
            uri: String = "/v1/landmarks", headers: HTTPFields = [.contentType: "image/jpeg"], body: Data = Data()
        ) {
            cases.append(
                Case(
                    name: name, method: method, uri: uri, headers: headers, body: body, status: status, message: message
                ))
        }
        add("empty body", .badRequest, "the photo is empty")
        add("not an image", .unsupportedMediaType, "not a JPEG, PNG or PPM image", body: Data("hello, world".utf8))
        add("truncated JPEG", .badRequest, "cannot be decoded", body: photo.prefix(photo.count / 3))
        add(
            "image over the pixel budget (PPM declaring 8000x8000)", .contentTooLarge, "8000x8000",
            headers: [.contentType: "image/x-portable-pixmap"], body: Data("P6 8000 8000 255\n".utf8) + Data(count: 64))
        add(
            "decompression bomb (a 100-byte PNG declaring 60000x60000)", .contentTooLarge, "60000x60000",
            headers: [.contentType: "image/png"], body: Fixtures.png(png, declaringWidth: 60000, height: 60000))
        add(
            "body over the limit", .contentTooLarge, "at most 20971520 bytes",
            headers: [.contentType: "image/jpeg", .contentLength: String(21 << 20)], body: Data(count: 21 << 20))
        add(
            "body over the limit, no length given", .contentTooLarge, "at most 20971520 bytes",
            body: Data(count: 21 << 20))
        add("wrong method", .methodNotAllowed, "/v1/landmarks answers POST, not GET", method: .get, headers: [:])
        add("unknown route", .notFound, "no route /v2/landmarks", method: .get, uri: "/v2/landmarks", headers: [:])
        add(
            "text instead of a photo", .unsupportedMediaType, "is not a photo",
            headers: [.contentType: "text/plain"], body: photo)
        add(
            "unknown option", .badRequest, "unknown query parameter 'minface'", uri: "/v1/landmarks?minface=40",
            body: photo)
        add(
            "smallest face below the detector's cell", .badRequest, "minFace=5", uri: "/v1/landmarks?minFace=5",
            body: photo)
        add("mirror not a boolean", .badRequest, "mirror=maybe", uri: "/v1/landmarks?mirror=maybe", body: photo)
        let noFile = Fixtures.form(field: "comment", fileName: nil, type: "text/plain", Data("hi".utf8))
        add("form without a file", .badRequest, "no file field", headers: noFile.headers, body: noFile.body)
        var unclosed = Fixtures.form(fileName: "a.jpg", photo)
        unclosed.body = unclosed.body.prefix(unclosed.body.count - 30)
        add(
            "form cut short", .badRequest, "not closed by the boundary", headers: unclosed.headers,
            body: unclosed.body)
        add(
            "form without a boundary", .badRequest, "boundary", headers: [.contentType: "multipart/form-data"],
            body: photo)
        return cases
    }

    @Test(arguments: try cases())
    func isRefusedWithAReason(_ bad: Case) async throws {
        let answer = try await Fixtures.send(
            bad.method, bad.uri, headers: bad.headers, body: bad.body)
        #expect(answer.status == bad.status, "\(String(decoding: answer.body, as: UTF8.self))")
        #expect(answer.headers[.contentType] == "application/json")
        let object = try Fixtures.object(answer.body)
        let message = try #require(object["error"] as? String)
        #expect(object.count == 1 && message.contains(bad.message), "\(message)")
        if bad.status == .methodNotAllowed { #expect(answer.headers[.allow] == "POST") }
    }

    @Test func theServiceGoesOnServingAfterEveryBadInput() async throws {
        for bad in try Self.cases() {
            _ = try await Fixtures.send(bad.method, bad.uri, headers: bad.headers, body: bad.body)
        }
        let answer = try await Fixtures.send(body: try Fixtures.photo())
        #expect(answer.status == .ok)
        #expect(try JSONDecoder().decode(PhotoLandmarks.self, from: answer.body).faces.count >= 2)
    }

    @Test func aSmallerPixelBudgetRefusesAnOrdinaryPhoto() async throws {
        let service = try Fixtures.service { $0.maximumPixelCount = 10_000 }
        let answer = try await Fixtures.send(to: service, body: try Fixtures.photo())
        #expect(answer.status == .contentTooLarge)
        let message = try #require(try Fixtures.object(answer.body)["error"] as? String)
        #expect(
            message.contains("500x332") && message.hasSuffix("the server decodes at most 10000 pixels"), "\(message)")
    }

    @Test func aConfigurationThatCannotServeIsRefusedNamingTheSetting() {
        #expect { try Fixtures.service { $0.minimumFaceSize = 4 } } throws: { "\($0)".contains("smallest face") }
        #expect { try Fixtures.service { $0.concurrency = 0 } } throws: { "\($0)".contains("concurrency") }
        #expect {
            try Fixtures.service { $0.modelFile = URL(fileURLWithPath: "/nonexistent/model.safetensors") }
        } throws: {
            "\($0)".contains("/nonexistent/model.safetensors")
        }
    }
}
