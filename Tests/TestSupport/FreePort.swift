import Foundation

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it).
public enum FreePort {
    public static func next() -> Int {
        let (fd, port) = try! LoopbackSocket.listen()
        close(fd)
        return port
    }
}
