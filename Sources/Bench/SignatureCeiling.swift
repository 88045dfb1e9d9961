import Dispatch
import Entrustment
import Foundation

/// How many event signatures (in one suite) this machine verifies per second, on one core and on all:
/// the ceiling of any pipeline that checks every signature.
public struct SignatureCeiling: Sendable {
    /// Verifications per second on one thread.
    public let perCore: Double
    /// Verifications per second with one thread per core.
    public let allCores: Double
    /// The cores used.
    public let cores: Int

    /// Verifies `events`' signatures (all by `key`) once on one thread and once spread over the
    /// cores.
    public static func measure(_ events: [Event], key: VerifyingKey) -> SignatureCeiling {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        @Sendable func verify(_ slice: ArraySlice<Event>) -> Int {
            var valid = 0
            for event in slice where SignaturePurpose.event.isValid(event.signature ?? [], of: event.id.bytes, by: key)
            {
                valid += 1
            }
            return valid
        }
        let single = Stopwatch.time { _ = verify(events[...]) }
        let parallel = Stopwatch.time {
            let chunk = (events.count + cores - 1) / cores
            DispatchQueue.concurrentPerform(iterations: cores) { part in
                let lower = min(part * chunk, events.count)
                _ = verify(events[lower..<min(lower + chunk, events.count)])
            }
        }
        return SignatureCeiling(
            perCore: Double(events.count) / single, allCores: Double(events.count) / parallel, cores: cores)
    }
}

/// How many signatures (in one suite) a key makes per second on all cores: what the hub spends
/// on the storage witness of every event it stores.
public struct SigningRate: Sendable {
    /// Signatures per second with one thread per core.
    public let allCores: Double

    /// Signs `count` witness-sized messages with `sign`, spread over the cores.
    public static func measure(count: Int, sign: @escaping @Sendable ([UInt8]) -> [UInt8]) -> SigningRate {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let message = [UInt8](repeating: 0x5A, count: 96)
        let seconds = Stopwatch.time {
            DispatchQueue.concurrentPerform(iterations: cores) { part in
                for _ in stride(from: part, to: count, by: cores) { _ = sign(message) }
            }
        }
        return SigningRate(allCores: Double(count) / seconds)
    }
}

/// Wall-clock timing with the monotonic clock.
enum Stopwatch {
    /// Seconds `body` takes.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Seconds `body` takes.
    static func time(_ body: () async throws -> Void) async rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The median of `values`.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
