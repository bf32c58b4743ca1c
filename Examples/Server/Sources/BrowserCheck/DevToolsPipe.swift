import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A headless Chromium driven over its DevTools protocol on a pipe (`--remote-debugging-pipe`:
/// commands on file descriptor 3, answers on 4, each message JSON ended by a NUL byte). No
/// WebSocket and no Node: the protocol as Chromium itself speaks it.
final class DevToolsPipe {
    private let pid: pid_t
    private let commands: Int32
    private let answers: Int32
    private var buffer: [UInt8] = []
    private var nextID = 0
    /// The page session commands go to once ``attach(to:)`` ran.
    var session: String?

    /// Starts `browser` headless with a fresh profile in `profile`, at a `width` x `height` window.
    init(browser: String, profile: URL, width: Int, height: Int) throws {
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw CheckError("cannot create pipes") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        let devNull = open("/dev/null", O_WRONLY)
        posix_spawn_file_actions_adddup2(&actions, devNull, 1)
        posix_spawn_file_actions_adddup2(&actions, devNull, 2)
        let arguments = [
            browser, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--no-default-browser-check", "--user-data-dir=\(profile.path)",
            "--window-size=\(width),\(height)", "about:blank"
        ]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, browser, &actions, nil, &argv, environ)
        close(toBrowser[0])
        close(fromBrowser[1])
        close(devNull)
        guard status == 0 else { throw CheckError("cannot start \(browser): \(String(cString: strerror(status)))") }
        (self.pid, commands, answers) = (pid, toBrowser[1], fromBrowser[0])
    }

    deinit {
        close(commands)
        close(answers)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }

    /// Sends `method` with `parameters` (to the page session when attached, unless `browser`)
    /// and returns its result; throws the protocol's error.
    @discardableResult
    func send(_ method: String, _ parameters: [String: Any] = [:], browser: Bool = false) throws -> [String: Any] {
        nextID += 1
        var message: [String: Any] = ["id": nextID, "method": method, "params": parameters]
        if !browser, let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message)) + [0]
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeMutableBytes { write(commands, $0.baseAddress! + written, $0.count - written) }
            guard count > 0 else { throw CheckError("the browser closed its pipe (\(method))") }
            written += count
        }
        while true {
            let answer = try read()
            guard answer["id"] as? Int == nextID else { continue }  // an event, or an earlier answer
            if let error = answer["error"] as? [String: Any] {
                throw CheckError("\(method): \(error["message"] ?? error)")
            }
            return answer["result"] as? [String: Any] ?? [:]
        }
    }

    /// Opens a page target and sends later commands to it.
    func attach(to url: String) throws {
        let target = try send("Target.createTarget", ["url": url], browser: true)
        let attached = try send(
            "Target.attachToTarget", ["targetId": target["targetId"] ?? "", "flatten": true], browser: true)
        session = attached["sessionId"] as? String
    }

    /// The value of a JavaScript expression (awaited when it is a promise), as JSON gives it.
    func evaluate(_ expression: String) throws -> Any? {
        let result = try send(
            "Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = result["exceptionDetails"] as? [String: Any] {
            throw CheckError("JavaScript failed: \(exception["text"] ?? exception) in \(expression)")
        }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Waits until `expression` is true, at most `timeout` seconds.
    func wait(until expression: String, timeout: Double, what: String) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try evaluate(expression) as? Bool == true { return }
            usleep(100_000)
        }
        throw CheckError("timed out after \(Int(timeout)) s waiting for \(what)")
    }

    private func read() throws -> [String: Any] {
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let message = Array(buffer[..<end])
                buffer.removeSubrange(...end)
                return try JSONSerialization.jsonObject(with: Data(message)) as? [String: Any] ?? [:]
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(answers, $0.baseAddress, $0.count) }
            guard count > 0 else { throw CheckError("the browser closed its pipe") }
            buffer += chunk[..<count]
        }
    }
}

/// Why the check failed.
struct CheckError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
