import Foundation

/// The `keypoints` executable the command tests run: `FACEKEYPOINTS_KEYPOINTS` when set (CI
/// points it at the release build it makes anyway, so the command tests and the MPI tests run
/// optimized code), else the one built next to the test bundle.
public enum KeypointsExecutable {
    public static var url: URL {
        if let path = ProcessInfo.processInfo.environment["FACEKEYPOINTS_KEYPOINTS"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test runner may sit inside a bundle folder; walk up to the build products.
        for _ in 0..<4 where !FileManager.default.fileExists(atPath: directory.appendingPathComponent("keypoints").path)
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("keypoints")
    }
}
