import FaceKeypoints
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension LandmarkService {
    /// `POST /v1/landmarks`: the photo in the body (`image/*`, `application/octet-stream`) or in
    /// a `multipart/form-data` file field; `minFace` (pixels) and `mirror` (`true`/`false`) as
    /// query parameters. Answers the photo's faces as `keypoints predict` writes them.
    func landmarks(_ request: Request, context: some RequestContext) async throws -> Response {
        let options = try LandmarkOptions(request.uri.queryParameters, configuration: configuration)
        let upload = try await Self.upload(of: request, limit: configuration.maximumBodyBytes)
        let landmarker = try self.landmarker(for: options)
        metrics.queued.increment()
        let photo: PhotoLandmarks
        do {
            photo = try await limiter.run {
                metrics.queued.decrement()
                metrics.running.increment()
                defer { metrics.running.decrement() }
                return try await Self.onWorkerThread {
                    try Self.landmarks(
                        of: upload, landmarker: landmarker, modelName: modelName,
                        budget: configuration.maximumPixelCount)
                }
            }
        } catch is InferenceLimiter.Refusal {
            metrics.queued.decrement()
            throw APIError(
                .serviceUnavailable, kind: "overloaded",
                "every slot is busy and \(configuration.queueLength) requests wait; retry in a second",
                headers: [.retryAfter: "1"])
        }
        metrics.faces.increment(by: Int64(photo.faces.count))
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: try photo.json())))
    }

    /// The landmarker for a request's options: the shared one, or a copy sharing its networks
    /// with another smallest face or with mirroring.
    private func landmarker(for options: LandmarkOptions) throws(APIError) -> FaceLandmarker {
        guard options.minimumFaceSize != nil || options.mirror else { return landmarker }
        var detector = landmarker.detector
        if let size = options.minimumFaceSize { detector?.minimumFaceSize = size }
        var model = landmarker.model
        if options.mirror {
            do { model = try model.mirrored() } catch {
                throw APIError(.badRequest, kind: "option", "mirror: \(error)")
            }
        }
        return FaceLandmarker(detector: detector, model: model)
    }

    /// The photo's bytes and name from the body.
    static func upload(of request: Request, limit: Int) async throws -> Upload {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(
                .contentTooLarge, kind: "too_large",
                "the body has \(length) bytes; the server takes at most \(limit) bytes")
        }
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let mediaType =
            contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(
                .contentTooLarge, kind: "too_large", "the body is longer than the server takes: at most \(limit) bytes")
        }
        let body = Data(buffer.readableBytesView)
        var upload: Upload
        if mediaType.hasPrefix("image/") || mediaType == "application/octet-stream" {
            upload = Upload(name: "upload", bytes: body)
        } else if mediaType == "multipart/form-data" {
            guard let boundary = MultipartForm.boundary(of: contentType) else {
                throw APIError(
                    .badRequest, kind: "bad_form",
                    "multipart/form-data needs a boundary parameter of 1 to 70 characters")
            }
            let form = try MultipartForm(body, boundary: boundary)
            guard
                let part = form.parts.first(where: {
                    $0.fileName != nil || $0.contentType?.lowercased().hasPrefix("image/") == true
                })
            else {
                throw APIError(
                    .badRequest, kind: "bad_form",
                    "the form has no file field; send the photo as a file (curl -F photo=@face.jpg)")
            }
            upload = Upload(
                name: part.fileName.map { URL(fileURLWithPath: $0).lastPathComponent } ?? "upload", bytes: part.body)
        } else {
            throw APIError(
                .unsupportedMediaType, kind: "media_type",
                "Content-Type \(mediaType) is not a photo; send image/jpeg, image/png or image/x-portable-pixmap (curl -H 'Content-Type: image/jpeg' --data-binary @face.jpg) or a multipart form (curl -F photo=@face.jpg)"
            )
        }
        if upload.bytes.isEmpty {
            throw APIError(.badRequest, kind: "empty", "the photo is empty; send a JPEG, PNG or PPM image")
        }
        return upload
    }

    /// Decodes the photo within the pixel budget and finds its faces' landmarks.
    static func landmarks(
        of upload: Upload, landmarker: FaceLandmarker, modelName: String, budget: Int
    ) throws -> PhotoLandmarks {
        let image: Image
        do {
            image = try Image(decoding: upload.bytes, source: upload.name, maximumPixelCount: budget)
        } catch let error as ImageError {
            throw apiError(for: error, budget: budget)
        }
        do {
            return PhotoLandmarks(
                image: upload.name, photo: image, model: modelName, faces: try landmarker.faces(in: image))
        } catch let error as KeypointInputError {
            throw APIError(.unprocessableContent, kind: "photo", "\(error)")
        } catch let error as MTCNNError {
            throw APIError(.unprocessableContent, kind: "photo", "\(error)")
        }
    }

    /// How an image the decoder refused is answered.
    static func apiError(for error: ImageError, budget: Int) -> APIError {
        switch error.reason {
        case .unknownFormat:
            return APIError(.unsupportedMediaType, kind: "bad_image", "the photo is not a JPEG, PNG or PPM image")
        case .tooLarge:
            return APIError(
                .contentTooLarge, kind: "too_many_pixels",
                "\(error.detail); the server decodes at most \(budget) pixels")
        case .unsupported:
            return APIError(
                .unsupportedMediaType, kind: "bad_image",
                "the photo uses a feature this server cannot decode: \(error.detail)")
        default:
            return APIError(
                .badRequest, kind: "bad_image",
                "the photo cannot be decoded (\(error.reason.rawValue)): \(error.detail)")
        }
    }

    /// Runs `work` on a Dispatch thread, keeping the server's cooperative threads free.
    static func onWorkerThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// A photo as uploaded: the name the JSON reports (the form's file name, or `upload`) and its bytes.
struct Upload: Sendable {
    var name: String
    var bytes: Data
}
