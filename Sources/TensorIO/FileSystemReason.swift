import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system's reason behind a Foundation file error, in words ("Permission denied", "Too
/// many levels of symbolic links", "Is a directory"), without the error's domain and code:
/// for messages that name the file themselves.
public func fileSystemReason(_ error: any Error) -> String {
    let error = error as NSError
    for candidate in [error, error.userInfo[NSUnderlyingErrorKey] as? NSError].compactMap({ $0 })
    where candidate.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(candidate.code)))
    }
    return error.localizedFailureReason ?? error.localizedDescription
}

/// Creates the folder `url` and any missing parents, as `mkdir -p` does; returns why it could
/// not ("Not a directory" when a part of the path is a file, "Permission denied"), or nil.
public func createFolders(at url: URL) -> String? {
    var path = ""
    for component in url.standardizedFileURL.pathComponents {
        path = path.isEmpty || path == "/" ? path + component : path + "/" + component
        if mkdir(path, 0o777) != 0 && errno != EEXIST { return String(cString: strerror(errno)) }
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
        return String(cString: strerror(ENOTDIR))
    }
    return nil
}

/// Why `url` cannot serve as an output folder, after creating it and its parents when they are
/// missing: "a file, not a folder", "the folder is not writable", "cannot create the folder
/// (Not a directory)"; nil when files can be written there.
public func outputFolderProblem(at url: URL) -> String? {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        return createFolders(at: url).map { "cannot create the folder (\($0))" }
    }
    if !isDirectory.boolValue { return "a file, not a folder" }
    return FileManager.default.isWritableFile(atPath: url.path) ? nil : "the folder is not writable"
}
