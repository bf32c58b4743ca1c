import FaceKeypoints
import Foundation
import HTTPTypes
import LandmarkService
import Testing

/// `POST /v1/landmarks` on a real photo: the JSON `keypoints predict` writes, the library's
/// points exactly, as a raw body or a form field, with its options.
@Suite struct LandmarksRouteTests {
    @Test func aPhotoGetsTheLibrarysLandmarksAsPredictWritesThem() async throws {
        let photo = try Fixtures.photo()
        let answer = try await Fixtures.send(body: photo)
        #expect(answer.status == .ok && answer.headers[.contentType] == "application/json")
        let served = try JSONDecoder().decode(PhotoLandmarks.self, from: answer.body)
        let image = try Image(decoding: photo)
        let expected = PhotoLandmarks(
            image: "upload", photo: image, model: Fixtures.service.modelName,
            faces: try await Fixtures.service.landmarker.faces(in: image))
        #expect(served.faces.count >= 2, "dlib's 2008_002470.jpg has several faces")
        #expect(served == expected)
        #expect(try answer.body == expected.json())
    }

    @Test func aFormFieldNamesThePhotoAndGivesTheSameFaces() async throws {
        let photo = try Fixtures.photo()
        let form = Fixtures.form(fileName: "../../etc/group.jpg", photo)
        let answer = try await Fixtures.send(headers: form.headers, body: form.body)
        #expect(answer.status == .ok, "\(String(decoding: answer.body, as: UTF8.self))")
        let served = try JSONDecoder().decode(PhotoLandmarks.self, from: answer.body)
        let raw = try await JSONDecoder().decode(PhotoLandmarks.self, from: Fixtures.send(body: photo).body)
        #expect(served.image == "group.jpg", "only the file's own name, never a client's path")
        #expect(served.faces == raw.faces)
    }

    @Test func theSmallestFaceAndMirroringAreOptions() async throws {
        let photo = try Fixtures.photo()
        let plain = try await JSONDecoder().decode(PhotoLandmarks.self, from: Fixtures.send(body: photo).body)
        let large = try await JSONDecoder().decode(
            PhotoLandmarks.self, from: Fixtures.send(.post, "/v1/landmarks?minFace=4000", body: photo).body)
        #expect(large.faces.isEmpty && !plain.faces.isEmpty)
        let mirrored = try await JSONDecoder().decode(
            PhotoLandmarks.self, from: Fixtures.send(.post, "/v1/landmarks?mirror=true", body: photo).body)
        let image = try Image(decoding: photo)
        let expected = try await FaceLandmarker(
            detector: Fixtures.service.landmarker.detector, model: Fixtures.service.landmarker.model.mirrored()
        ).faces(in: image)
        #expect(mirrored.faces == expected.map(PhotoLandmarks.Face.init))
        #expect(mirrored.faces != plain.faces)
    }

    @Test func healthPageAndDocumentAreServed() async throws {
        let health = try await Fixtures.send(.get, "/healthz", headers: [:])
        #expect(health.status == .ok && String(decoding: health.body, as: UTF8.self) == #"{"status":"ok"}"#)
        let page = try await Fixtures.send(.get, "/", headers: [:])
        let html = String(decoding: page.body, as: UTF8.self)
        #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
        #expect(html.contains(#"<input id="photo" type="file""#) && html.contains("/v1/landmarks"))
        #expect(!html.contains("http://") && !html.contains("https://"), "the page loads nothing from elsewhere")
        let document = try await Fixtures.send(.get, "/openapi.yaml", headers: [:])
        #expect(document.status == .ok)
        _ = try OpenAPIDocument(document.body)
    }
}
