import ArgumentParser
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `browser-check`: loads the service's page in headless Chromium, uploads a photo through the
/// page's own file input, and checks what the page shows against the API's own answer for the
/// same photo: the face count, every point drawn (read back from the canvas: a point's pixel is
/// the point's red), no sideways scrolling; at a desktop and at a phone's size, with a
/// screenshot of each.
@main
struct BrowserCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browser-check", abstract: "Check the landmark page in a real, headless browser.")

    @Option(help: "The running service.") var url = "http://127.0.0.1:8080"
    @Option(help: "The photo to upload.") var photo: String
    @Option(help: "The browser program.") var browser = "chromium"
    @Option(help: "Where to write the screenshots (NAME-desktop.png, NAME-phone.png).") var screenshots = "page"

    func run() throws {
        let photoURL = URL(fileURLWithPath: photo).standardizedFileURL
        let expected = try apiAnswer(for: photoURL)
        let expectedFaces = (expected["faces"] as? [[String: Any]]) ?? []
        guard !expectedFaces.isEmpty else {
            throw CheckError("the API finds no face in \(photo); choose a photo with faces")
        }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("browser-check-\(getpid())")
        defer { try? FileManager.default.removeItem(at: profile) }
        let chromium = try DevToolsPipe(browser: browser, profile: profile, width: 1280, height: 900)
        try chromium.attach(to: "about:blank")
        for (name, width, height, mobile) in [("desktop", 1280, 900, false), ("phone", 390, 844, true)] {
            try chromium.send(
                "Emulation.setDeviceMetricsOverride",
                ["width": width, "height": height, "deviceScaleFactor": mobile ? 2 : 1, "mobile": mobile])
            try chromium.send("Page.navigate", ["url": url + "/"])
            try chromium.wait(
                until: "document.body && document.body.dataset.state === 'ready'", timeout: 30, what: "the page")
            let document = try chromium.send("DOM.getDocument")
            let rootID = (document["root"] as? [String: Any])?["nodeId"] ?? 0
            let input = try chromium.send("DOM.querySelector", ["nodeId": rootID, "selector": "#photo"])
            try chromium.send("DOM.setFileInputFiles", ["files": [photoURL.path], "nodeId": input["nodeId"] ?? 0])
            try chromium.wait(
                until: "['done', 'error'].includes(document.body.dataset.state)", timeout: 120,
                what: "the page's answer")
            let state = try chromium.evaluate("document.body.dataset.state") as? String
            guard state == "done" else {
                throw CheckError(
                    "\(name): the page says \(try chromium.evaluate("document.getElementById('status').textContent") ?? "?")"
                )
            }
            try check(chromium, name: name, expected: expected)
            let shot = try chromium.send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true])
            guard let base64 = shot["data"] as? String, let png = Data(base64Encoded: base64) else {
                throw CheckError("\(name): no screenshot")
            }
            let file = URL(fileURLWithPath: "\(screenshots)-\(name).png")
            try png.write(to: file)
            print(
                "\(name) \(width)x\(height): \(expectedFaces.count) faces drawn as the API answers, screenshot \(file.path)"
            )
        }
        _ = try? chromium.send("Browser.close", browser: true)
    }

    /// What the page shows, against the API's answer.
    private func check(_ chromium: DevToolsPipe, name: String, expected: [String: Any]) throws {
        let faces = (expected["faces"] as? [[String: Any]]) ?? []
        let shown = try chromium.evaluate("document.body.dataset.faces") as? String
        guard shown == String(faces.count) else {
            throw CheckError("\(name): the page shows \(shown ?? "no") faces, the API \(faces.count)")
        }
        let listed = try chromium.evaluate("document.querySelectorAll('#faces li').length") as? Int
        guard listed == faces.count else {
            throw CheckError("\(name): \(listed ?? 0) faces listed, \(faces.count) found")
        }
        let pageResult = try chromium.evaluate("JSON.stringify(window.keypointsResult.faces)") as? String ?? ""
        let pageFaces = try JSONSerialization.jsonObject(with: Data(pageResult.utf8)) as? [[String: Any]] ?? []
        let points = { (faces: [[String: Any]]) in faces.map { ($0["points"] as? [[Double]]) ?? [] } }
        guard points(pageFaces) == points(faces) else {
            throw CheckError("\(name): the page's points differ from the API's")
        }
        let drawn = try chromium.evaluate("document.body.dataset.pointsDrawn") as? String
        let total = points(faces).reduce(0) { $0 + $1.count }
        guard drawn == String(total) else { throw CheckError("\(name): \(drawn ?? "no") points drawn of \(total)") }
        // Read the canvas back at every confident point: the dot's red must be there.
        let redDots =
            try chromium.evaluate(
                """
                (() => {
                  const context = document.getElementById('view').getContext('2d');
                  let red = 0, confident = 0;
                  for (const face of window.keypointsResult.faces) {
                    face.points.forEach(([x, y], i) => {
                      if (face.confidence && face.confidence[i] < 0.5) return;
                      confident += 1;
                      const [r, g, b] = context.getImageData(Math.floor(x), Math.floor(y), 1, 1).data;
                      if (r > 200 && g < 90 && b < 90) red += 1;
                    });
                  }
                  return [red, confident];
                })()
                """) as? [Int] ?? []
        guard redDots.count == 2, redDots[1] > 0, redDots[0] * 10 >= redDots[1] * 9 else {
            throw CheckError(
                "\(name): the canvas shows red at \(redDots.first ?? 0) of \(redDots.last ?? 0) confident points")
        }
        let overflow = try chromium.evaluate("document.documentElement.scrollWidth > window.innerWidth") as? Bool
        guard overflow == false else { throw CheckError("\(name): the page scrolls sideways") }
    }

    /// The API's answer for the photo, posted directly.
    private func apiAnswer(for photo: URL) throws -> [String: Any] {
        var request = URLRequest(url: URL(string: url + "/v1/landmarks")!)
        request.httpMethod = "POST"
        request.setValue("image/jpeg", forHTTPHeaderField: "Content-Type")
        request.httpBody = try Data(contentsOf: photo)
        let answer = Answer()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            answer.set(data, (response as? HTTPURLResponse)?.statusCode, error)
            done.signal()
        }.resume()
        done.wait()
        guard let (data, status, error) = answer.value, status == 200, let data else {
            let why = answer.value?.2.map { "\($0)" } ?? "status \(answer.value?.1 ?? 0)"
            throw CheckError("the API at \(url) did not answer the photo: \(why)")
        }
        _ = error
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}

/// The URL session's answer, handed from its thread.
final class Answer: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (Data?, Int?, (any Error)?)?
    var value: (Data?, Int?, (any Error)?)? { lock.withLock { stored } }
    func set(_ data: Data?, _ status: Int?, _ error: (any Error)?) { lock.withLock { stored = (data, status, error) } }
}
