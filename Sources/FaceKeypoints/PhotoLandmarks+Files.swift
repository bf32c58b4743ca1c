import Foundation
import TensorIO
import Vision

extension PhotoLandmarks {
    /// Writes `NAME_keypoints.json` and then `NAME_keypoints.png` (``drawn(on:poseAxes:)``)
    /// into `folder`, each atomically. Both JSON forms are made first, so a result that cannot
    /// be written (outputs that are not finite) leaves neither file. Returns the JSON line for
    /// `predictions.jsonl`.
    @discardableResult
    public func write(drawnOn photo: Image, into folder: URL, name: String, poseAxes: Bool = false) throws -> Data {
        let json = try json(), line = try jsonLine()
        try drawn(on: photo, poseAxes: poseAxes).write(to: folder.appendingPathComponent(name + Self.drawingSuffix))
        try AtomicFile.write(json, to: folder.appendingPathComponent(name + Self.jsonSuffix))
        return line
    }

    /// Each photo's output name (`NAME` of `NAME_keypoints.png` and `.json`): the file name
    /// without its extension. Throws, before any work, for two photos that would write the same
    /// files into `folder` and for a photo that an output would overwrite.
    public static func outputNames(of photos: [URL], in folder: URL) throws -> [String] {
        let names = photos.map { $0.deletingPathExtension().lastPathComponent }
        var first: [String: URL] = [:]
        for (photo, name) in zip(photos, names) {
            if let other = first[name] {
                throw KeypointInputError(
                    "\(other.path) and \(photo.path) would both write \(name)\(jsonSuffix) in \(folder.path); "
                        + "predict them into separate output folders")
            }
            first[name] = photo
        }
        let inputs = Set(photos.map { $0.standardizedFileURL.path })
        for name in names {
            for suffix in [drawingSuffix, jsonSuffix]
            where inputs.contains(folder.appendingPathComponent(name + suffix).standardizedFileURL.path) {
                throw KeypointInputError(
                    "\(folder.appendingPathComponent(name + suffix).path) is one of the photos and would be overwritten; "
                        + "choose another output folder")
            }
        }
        return names
    }
}
