import Foundation
import Tensor
import TensorIO
import TestSupport
import Testing

/// What the package reads and where it writes: only regular files are read (a device or a FIFO
/// would never end), one run owns an output folder at a time, killed writes leave nothing the
/// next run keeps, a header near the format's limit is refused before anything is written, and
/// a resource bundle that is not there is reported, not a trap.
@Suite("File safety")
struct FileSafetyTests {
    static func folder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "FileSafetyTests-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(
        "a device, a FIFO, a folder, a symbolic-link loop and a missing path are refused with their reason, without opening them"
    )
    func onlyRegularFiles() throws {
        let folder = try Self.folder("regular")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe.jpg"), loop = folder.appendingPathComponent("loop.jpg")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: loop.path, withDestinationPath: loop.path)
        let file = folder.appendingPathComponent("file.bin")
        try Data([1, 2, 3]).write(to: file)
        #expect(RegularFile.problem(at: file) == nil)
        struct Refused: Error { let reason: String }
        #expect(try RegularFile.contents(of: file) { Refused(reason: $0) } == Data([1, 2, 3]))
        let cases: [(URL, String)] = [
            (URL(fileURLWithPath: "/dev/zero"), "a device"), (fifo, "a FIFO"), (folder, "a folder"),
            (loop, "symbolic link loop"), (folder.appendingPathComponent("none.jpg"), "no such file")
        ]
        for (url, reason) in cases {
            #expect(
                RegularFile.problem(at: url)?.contains(reason) == true,
                "\(url.path): \(String(describing: RegularFile.problem(at: url)))")
            #expect(throws: Refused.self) { try RegularFile.contents(of: url) { Refused(reason: $0) } }
        }
        // The safetensors reader goes through the same check.
        let error = #expect(throws: SafeTensorsError.self) { try SafeTensors.read(contentsOf: fifo) }
        #expect(error?.description == "\(fifo.path): cannot read the file: a FIFO (named pipe), not a regular file")
    }

    @Test("another process's lock on a folder refuses the run, naming the process; the lock nests within one process")
    func oneRunPerFolder() throws {
        let folder = try Self.folder("lock")
        defer { try? FileManager.default.removeItem(at: folder) }
        let lockFile = folder.appendingPathComponent(RunFolderLock.fileName)
        // flock(1) holds the lock, as another run would, until it is killed.
        let holder = try FolderLockHolder(folder: folder)
        let refused = #expect(throws: RunFolderLockError.self) { try RunFolderLock(folder: folder) }
        // The process named is the last one that took the lock and wrote its id (here this one, while flock(1) was starting).
        let message = refused?.description ?? ""
        #expect(
            message.hasPrefix("\(folder.standardizedFileURL.path): another run (process ")
                && message.hasSuffix(") is writing to this folder; wait for it to end, or choose another output folder"),
            "\(message)")
        holder.stop()
        // A killed owner leaves the file but not the lock.
        let first = try RunFolderLock(folder: folder)
        let nested = try RunFolderLock(folder: folder)
        #expect(try String(contentsOf: lockFile, encoding: .utf8) == "\(getpid())\n")
        withExtendedLifetime((first, nested)) {}
    }

    @Test("the first lock on a folder removes the temporary files killed writes left, and nothing else")
    func staleTemporaryFiles() throws {
        let folder = try Self.folder("stale")
        defer { try? FileManager.default.removeItem(at: folder) }
        let stale = [".checkpoint.safetensors.\(UUID().uuidString).tmp", ".metrics.json.\(UUID().uuidString).tmp"]
        let kept = ["model.safetensors", ".hidden", ".x.not-a-uuid.tmp", "notes.tmp"]
        for name in stale + kept { try Data([0]).write(to: folder.appendingPathComponent(name)) }
        let lock = try RunFolderLock(folder: folder)
        #expect(lock.removedTemporaryFiles == stale.sorted())
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(left == Set(kept + [RunFolderLock.fileName]))
    }

    @Test("an output path that is a file, or a folder that cannot be created, is refused in one line")
    func badOutputFolders() throws {
        let folder = try Self.folder("bad-out")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("taken")
        try Data([0]).write(to: file)
        #expect(throws: RunFolderLockError.self) { try RunFolderLock(folder: file) }
        let error = #expect(throws: RunFolderLockError.self) {
            try RunFolderLock(folder: file.appendingPathComponent("below"))
        }
        #expect(
            error?.description.contains("cannot create the folder (Not a directory)") == true,
            "\(String(describing: error))")
    }

    @Test("metadata that would pass the header limit is refused before a byte is written")
    func headerLimit() throws {
        let folder = try Self.folder("header")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("big.safetensors")
        let note = String(repeating: "x", count: SafeTensors.maximumHeaderLength - 100)
        // Within the limit alone, over it with a second entry: what `export --note` adds.
        let within = SafeTensors.encode(["w": Tensor([1])], metadata: ["note": note])
        #expect(within.count > SafeTensors.maximumHeaderLength - 100)
        let error = #expect(throws: SafeTensorsError.self) {
            try SafeTensors.write(
                ["w": Tensor([1])], metadata: ["note": note, "k": String(repeating: "y", count: 1000)], to: url)
        }
        #expect(error?.kind == .headerTooLarge && error?.description.contains("shorten the metadata") == true)
        #expect(!FileManager.default.fileExists(atPath: url.path))
        #expect(throws: SafeTensorsError.self) { try SafeTensors.write(["__metadata__": Tensor([1])], to: url) }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test("a resource bundle that is nowhere gives nil and the places searched")
    func missingResource() {
        let (url, places) = PackageResource.url(
            named: "weights.safetensors", package: "Nowhere", target: "Missing",
            sourceFolder: URL(fileURLWithPath: "/nonexistent/Resources"))
        #expect(url == nil)
        #expect((2...3).contains(places.count) && Set(places).count == places.count)
        #expect(
            places.allSatisfy { $0.hasSuffix("Nowhere_Missing.resources") || $0 == "/nonexistent/Resources" },
            "\(places)")
    }
}
