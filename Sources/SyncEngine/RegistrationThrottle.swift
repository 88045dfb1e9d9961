import Synchronization

/// Limits unauthenticated registrations (`POST /v1/register`, the hub only) per source address:
/// at most ``perMinute`` a minute from one address, and at most ``maxAddresses`` addresses
/// remembered at once (beyond, every registration is refused until a minute has passed), so that
/// nobody can flood hub staff's queue or make the hub's memory grow.
public final class RegistrationThrottle: Sendable {
    /// Registrations accepted from one address per minute.
    public let perMinute: Int
    /// Addresses remembered at once.
    public let maxAddresses: Int
    private let recent = Mutex<[String: [Int64]]>([:])

    public init(perMinute: Int, maxAddresses: Int = 10_000) {
        self.perMinute = perMinute
        self.maxAddresses = maxAddresses
    }

    /// Whether a registration from `address` at `now` (milliseconds) may go on; counts it if so.
    public func admit(_ address: String, now: Int64) -> Bool {
        let since = now - 60_000
        return recent.withLock { recent in
            var times = (recent[address] ?? []).filter { $0 > since }
            guard times.count < perMinute else {
                recent[address] = times
                return false
            }
            if recent[address] == nil, recent.count >= maxAddresses {
                recent = recent.compactMapValues { times in
                    let kept = times.filter { $0 > since }
                    return kept.isEmpty ? nil : kept
                }
                guard recent.count < maxAddresses else { return false }
            }
            times.append(now)
            recent[address] = times
            return true
        }
    }
}
