import Foundation

/// A tmpfs of a fixed size mounted on a directory, to give a replica a disk that fills up or turns
/// read-only. Mounting needs root (CI runs as root); ``isAvailable`` says whether this machine can.
public final class SizedFilesystem: @unchecked Sendable {
    /// The mount point.
    public let directory: URL
    private let ballast: URL
    private var mounted = true

    /// Mounts a tmpfs of `megabytes` on `directory` (created if missing).
    public init(at directory: URL, megabytes: Int) throws {
        self.directory = directory
        ballast = directory.appendingPathComponent("ballast")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.mount(["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", directory.path])
    }

    /// Whether tmpfs mounts work here (root, and a kernel that lets this container mount).
    public static let isAvailable: Bool = {
        guard getuid() == 0, let probe = try? TemporaryDirectory() else { return false }
        defer { probe.remove() }
        guard let filesystem = try? SizedFilesystem(at: probe.path("mount"), megabytes: 1) else { return false }
        filesystem.unmount()
        return true
    }()

    /// Fills every free byte with a ballast file: the next write that needs space fails with ENOSPC.
    public func fill() throws {
        guard let handle = fopen(ballast.path, "w") else { throw DaemonError(message: "cannot create \(ballast.path)") }
        defer { fclose(handle) }
        let block = [UInt8](repeating: 0, count: 64 * 1024)
        while fwrite(block, 1, block.count, handle) == block.count {}
        // The last partial block: a byte at a time until the filesystem refuses.
        while fwrite(block, 1, 1, handle) == 1, fflush(handle) == 0 {}
    }

    /// Removes the ballast: the space is free again.
    public func free() throws { try FileManager.default.removeItem(at: ballast) }

    /// Bytes still free on the filesystem.
    public var freeBytes: Int64 {
        var stats = statvfs()
        guard statvfs(directory.path, &stats) == 0 else { return -1 }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    /// Remounts read-only or read-write (read-only fails while a process holds a file open for writing).
    public func remount(readOnly: Bool) throws {
        try Self.mount(["-o", "remount,\(readOnly ? "ro" : "rw")", directory.path])
    }

    /// Unmounts (lazily, so a file still open cannot keep it) and removes the mount point.
    public func unmount() {
        guard mounted else { return }
        mounted = false
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/umount")
        process.arguments = ["-l", directory.path]
        _ = try? CommandRunner.collect(process)
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { unmount() }

    private static func mount(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mount")
        process.arguments = arguments
        let (_, err) = try CommandRunner.collect(process)
        guard process.terminationStatus == 0 else {
            throw DaemonError(
                message: "mount \(arguments.joined(separator: " ")): \(String(decoding: err, as: UTF8.self))")
        }
    }
}
