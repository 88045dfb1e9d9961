import Foundation

/// TCP ports on 127.0.0.1 for the daemons a test starts, free when handed out.
///
/// They come from below the kernel's ephemeral range (`ip_local_port_range`), never twice in one
/// test process. A port the kernel picks itself would be in that range, where the source port of
/// any outgoing connection can take it while its daemon is down: a daemon killed and restarted on
/// the same port would then fail to listen.
public enum FreePort {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cursor: Int?

    /// One free port.
    public static func next() -> Int { block(count: 1) }

    /// The first of `count` consecutive free ports.
    public static func block(count: Int) -> Int {
        lock.withLock {
            let range = allocatable
            var candidate = cursor ?? Int.random(in: range.lowerBound...(range.lowerBound + range.count / 2))
            for _ in 0..<range.count {
                if candidate + count > range.upperBound { candidate = range.lowerBound }
                if let busy = (candidate..<candidate + count).first(where: { !isFree($0) }) {
                    candidate = busy + 1
                    continue
                }
                cursor = candidate + count
                return candidate
            }
            fatalError("no \(count) consecutive free ports in \(range)")
        }
    }

    /// 10000 up to the start of the ephemeral range.
    private static var allocatable: Range<Int> {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let ephemeralStart = text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
        return 10_000..<max(ephemeralStart, 20_000)
    }

    private static func isFree(_ port: Int) -> Bool {
        guard let (fd, _) = try? LoopbackSocket.listen(port: port) else { return false }
        close(fd)
        return true
    }
}
