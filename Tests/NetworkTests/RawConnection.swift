import Foundation
import TestSupport

/// A plain TCP connection to 127.0.0.1 for writing requests byte by byte.
final class RawConnection {
    let fd: Int32
    private var closed = false

    init(port: Int) throws {
        fd = try LoopbackSocket.connect(port: port)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) { send(bytes: Array(text.utf8)) }

    /// Sends all of `bytes` (blocking until the kernel takes them); `false` if the connection broke.
    @discardableResult
    func send(bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes {
                Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// Reads until the server closes (`closed`), `seconds` pass, or `stopAfter` has arrived.
    func readUntilClosed(seconds: Int, stopAfter marker: String? = nil) -> (bytes: [UInt8], closed: Bool) {
        readUntilClosed(milliseconds: seconds * 1000, stopAfter: marker)
    }

    /// Reads until the server closes (`closed`), `milliseconds` pass, or `stopAfter` has arrived.
    func readUntilClosed(milliseconds: Int, stopAfter marker: String? = nil) -> (bytes: [UInt8], closed: Bool) {
        var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: Int((milliseconds % 1000) * 1000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        var received: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return (received, n == 0) }
            received += buffer[0..<n]
            if let marker, String(decoding: received, as: UTF8.self).contains(marker) { return (received, false) }
        }
    }

    /// Closes the connection (once).
    func close() {
        guard !closed else { return }
        closed = true
        Foundation.close(fd)
    }

    deinit { close() }
}
