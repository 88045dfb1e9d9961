import Entrustment
import Foundation
import Node
import SyncEngine

/// d. Hub fan-in: many registered nodes polling the hub with nothing new — signed
/// `GET /v1/changes` requests, each lane on its kept-alive connection as the daemons' client
/// makes them — and many idle long-polls held at once.
enum FanInBenchmark {
    /// A registered node the benchmark speaks for.
    struct Caller: Sendable {
        var court: CourtCode
        var node: NodeID
        var key: SigningKey
    }

    /// Registers and approves `count` nodes at `hub` (spread over the directory's courts) and
    /// installs nothing elsewhere: only the hub must know them.
    static func register(_ count: Int, at hub: CourtNode) throws -> [Caller] {
        let courts = hub.replica.directory.all.map(\.code).filter { $0 != .supreme }
        var callers: [Caller] = []
        for index in 0..<count {
            let court = courts[index % courts.count]
            let key = SigningKey.generate(hub.suite)
            let node = try NodeID("\(court.rawValue).bench-\(index)")
            _ = try hub.receiveRegistration(
                RegistrationRequest(identity: (court, node), key: key, at: hub.time.now()))
            _ = try hub.decide(.approve, court: court.rawValue, node: node.rawValue)
            callers.append(Caller(court: court, node: node, key: key))
        }
        return callers
    }

    /// One signed pull of the changes after `after`, waiting up to `wait` seconds.
    static func pull(
        _ caller: Caller, hub: String, after: Int64, wait: Int, pool: HTTPConnectionPool? = nil
    ) async throws -> Int {
        let target = "/v1/changes?after=\(after)&wait=\(wait)"
        let timestamp = String(SystemTimeSource().now().milliseconds)
        let nonce = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let court = SyncWire.encodeHeader(caller.court.rawValue)
        let node = SyncWire.encodeHeader(caller.node.rawValue)
        let digest = RequestSigning.digest(of: [], suite: caller.key.suite)
        let message = RequestSigning.message(
            method: "GET", target: target, timestamp: timestamp, nonce: nonce, bodyDigest: digest, court: court,
            node: node)
        let signature: String = Data(SignaturePurpose.request.sign(message, with: caller.key)).base64EncodedString()
        let headers: [(String, String)] = [
            (SyncWire.courtHeader, court), (SyncWire.nodeHeader, node),
            (RequestSigning.timestampHeader, timestamp), (RequestSigning.nonceHeader, nonce),
            (RequestSigning.digestHeader, RequestSigning.digestHeaderValue(digest, suite: caller.key.suite)),
            (RequestSigning.signatureHeader, signature),
        ]
        let exchange = HTTPExchange(method: "GET", url: URL(string: hub + target)!, headers: headers)
        return Int(
            try await exchange.perform(tls: nil, timeout: Double(wait) + 30, maxBodyBytes: 1 << 24, pool: pool).status)
    }

    struct Polling {
        var requestsPerSecond: Double
        var p50: Double
        var p99: Double
        var failures: Int
        /// Answers `503 busy` among the failures.
        var busy: Int
        /// The hub's resident memory a tenth of the way through, once warm, and at the end.
        var warmRSS: Int?
        var endRSS: Int?
    }

    /// `concurrency` callers polling with `wait=0` for `seconds`, the hub's memory sampled once
    /// warm and at the end.
    static func poll(
        _ callers: [Caller], hub: String, after: Int64, concurrency: Int, seconds: Double, hubPID: Int32
    ) async -> Polling {
        let stop = Date().addingTimeInterval(seconds)
        let started = Date()
        let warm = Task {
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 100)))
            return ResidentMemory.bytes(of: hubPID)
        }
        let results = await withTaskGroup(of: ([Double], Int, Int).self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    let connection = HTTPConnectionPool()
                    var latencies: [Double] = []
                    var failures = 0
                    var busy = 0
                    var turn = lane
                    while Date() < stop {
                        let caller = callers[turn % callers.count]
                        turn += concurrency
                        let begin = DispatchTime.now().uptimeNanoseconds
                        let status = try? await pull(caller, hub: hub, after: after, wait: 0, pool: connection)
                        if status == 200 {
                            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9)
                        } else {
                            failures += 1
                            if status == 503 { busy += 1 }
                        }
                    }
                    await connection.closeAll()
                    return (latencies, failures, busy)
                }
            }
            var all: [Double] = []
            var failures = 0
            var busy = 0
            for await (latencies, failed, refused) in group {
                all += latencies
                failures += failed
                busy += refused
            }
            return (all, failures, busy)
        }
        let endRSS = ResidentMemory.bytes(of: hubPID)
        let elapsed = Date().timeIntervalSince(started)
        let sorted = results.0.sorted()
        func percentile(_ p: Double) -> Double {
            sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        return Polling(
            requestsPerSecond: Double(sorted.count) / elapsed, p50: percentile(0.5), p99: percentile(0.99),
            failures: results.1, busy: results.2, warmRSS: await warm.value, endRSS: endRSS)
    }

    /// Opens `count` long-polls (`wait` seconds) at once, waits until the hub holds them, and
    /// returns the hub's resident memory then and how many were answered before their time.
    static func holdLongPolls(
        _ callers: [Caller], count: Int, hub: String, after: Int64, wait: Int, hubPID: Int32
    ) async -> (rss: Int?, answeredEarly: Int) {
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    let begin = Date()
                    _ = try? await pull(callers[index % callers.count], hub: hub, after: after, wait: wait)
                    return Date().timeIntervalSince(begin) < Double(wait) - 1
                }
            }
            // Give every connection time to be accepted and parked, then read the hub's memory.
            try? await Task.sleep(for: .seconds(min(Double(wait) / 2, 3 + Double(count) / 1_000)))
            let rss = ResidentMemory.bytes(of: hubPID)
            var early = 0
            for await answeredEarly in group where answeredEarly { early += 1 }
            return (rss, early)
        }
    }
}
