import Foundation

/// Finds a file a package target ships as a resource, without `Bundle.module`: SwiftPM's
/// accessor ends the process ("could not load resource bundle") when the bundle is neither
/// beside the executable nor where the build left it, so a binary copied without its bundles
/// would trap before any error could be reported. This looks in the same places, plus the
/// target's source folder, and returns nil when the file is in none of them.
public enum PackageResource {
    /// The file `name` of the resource bundle SwiftPM makes for `target` of package `package`
    /// (`FaceKeypoints_FaceDetection.resources` on Linux), or in `sourceFolder` (the target's
    /// `Resources` folder, for a checkout run in place). `places` says where it looked.
    public static func url(
        named name: String, package: String, target: String, sourceFolder: URL
    ) -> (url: URL?, places: [String]) {
        #if os(Linux) || os(Windows)
            let bundle = "\(package)_\(target).resources"
        #else
            let bundle = "\(package)_\(target).bundle"
        #endif
        let executableFolder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        var folders = [Bundle.main.bundleURL.appendingPathComponent(bundle)]
        let besideExecutable = executableFolder.appendingPathComponent(bundle)
        if besideExecutable.standardizedFileURL.path != folders[0].standardizedFileURL.path {
            folders.append(besideExecutable)
        }
        let (stem, fileExtension) = ((name as NSString).deletingPathExtension, (name as NSString).pathExtension)
        for folder in folders {
            if let url = Bundle(path: folder.path)?.url(forResource: stem, withExtension: fileExtension) {
                return (url, [])
            }
        }
        let inSource = sourceFolder.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: inSource.path) { return (inSource, []) }
        return (nil, folders.map(\.path) + [sourceFolder.path])
    }
}
