import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files this package reads whole must be regular files: a device such as `/dev/zero` would be
/// read without end, and opening a FIFO blocks until a writer comes. Checked with `stat`
/// (symbolic links followed) before the file is opened.
public enum RegularFile {
    /// Why `url` cannot be read as a file, or nil when it is a regular file: "no such file",
    /// "a folder", "a FIFO", "a device", "a symbolic link loop", ...
    public static func problem(at url: URL) -> String? {
        var status = stat()
        guard stat(url.path, &status) == 0 else {
            let code = errno
            let reasons: [Int32: String] = [
                ENOENT: "no such file", ELOOP: "a symbolic link loop", ENOTDIR: "a part of the path is not a folder",
                EACCES: "permission denied (a folder on the path cannot be searched)"
            ]
            return reasons[code] ?? String(cString: strerror(code))
        }
        // The file type bits (S_IFMT) of st_mode.
        let kinds: [UInt32: String?] = [
            0o100000: nil, 0o040000: "a folder, not a file", 0o010000: "a FIFO (named pipe), not a regular file",
            0o020000: "a device, not a regular file", 0o060000: "a device, not a regular file",
            0o140000: "a socket, not a regular file"
        ]
        return kinds[UInt32(status.st_mode) & 0o170000] ?? "not a regular file"
    }

    /// The bytes of the regular file `url`; `describe` turns the reason it cannot be read
    /// ("no such file", "a FIFO (named pipe), not a regular file", "Permission denied") into the
    /// caller's own error.
    public static func contents(of url: URL, _ describe: (String) -> any Error) throws -> Data {
        if let problem = problem(at: url) { throw describe(problem) }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw describe(fileSystemReason(error))
        }
    }
}
