import Demo
import Entrustment
import Foundation
import GRDB
import Node
import Replica
import SyncEngine

#if canImport(Glibc)
    import Glibc
#endif

/// g. Documents: a large document from court A through the hub to court B (three daemons on
/// loopback), beside the same bytes copied over one loopback TCP connection in the same run; the
/// same transfer with B killed half-way and restarted (how much the hub sends again); and the
/// peak memory of A, the hub and B while it runs.
enum DocumentBenchmark {
    struct Result {
        /// Bytes of each document.
        var size: Int
        /// Seconds from the create at A until B holds the document.
        var transferSeconds: Double
        /// Seconds for the raw loopback copy.
        var rawSeconds: Double
        /// Bytes the hub served B for the resumed document beyond its size.
        var resentBytes: Int
        /// Peak resident memory growth of A, the hub and B during the transfers (bytes).
        var rssGrowth: [String: Int]
    }

    /// Runs in `folder` with the `courtsync` binary `executable`, documents of `megabytes` MiB.
    static func run(
        folder: URL, executable: URL, reference: ReferenceData, basePort: Int, megabytes: Int,
        say: @Sendable (String) -> Void
    ) async throws -> Result {
        let size = megabytes << 20
        let a = try CourtCode("京0102")
        let b = try CourtCode("粤0103")
        var limits = NodeConfig.Limits()
        limits.maxDocumentBytes = max(limits.maxDocumentBytes, size + (1 << 20))
        var sync = NodeConfig.Sync()
        sync.intervalSeconds = 1
        sync.localCheckMilliseconds = 5
        let network = try DemoNetwork.create(
            in: folder, courts: [a, b], basePort: basePort, reference: reference, clock: nil, sync: sync,
            limits: limits, suite: .ed25519)
        let members = Dictionary(uniqueKeysWithValues: network.members.map { ($0.court, $0) })
        let daemons = Dictionary(
            uniqueKeysWithValues: network.members.map {
                (
                    $0.court,
                    ServeProcess(
                        executable: executable, dataDirectory: $0.dataDirectory, arguments: ["--log-level", "warning"])
                )
            })
        defer { for process in daemons.values { process.stop() } }

        say("g. documents: writing two \(megabytes) MiB files …")
        let first = try makeDocument(size: size, at: folder.appendingPathComponent("first.pdf"))
        let second = try makeDocument(size: size, at: folder.appendingPathComponent("second.pdf"))
        let judgment = try makeDocument(size: 4096, at: folder.appendingPathComponent("judgment.pdf"))

        say("g. raw loopback TCP copy …")
        let rawSeconds = try rawLoopbackCopy(first)

        for court in [CourtCode.supreme, a, b] { try daemons[court]!.start() }
        try await Task.sleep(for: .seconds(1))
        var baseline: [String: Int] = [:]
        for (court, name) in [(a, "A"), (CourtCode.supreme, "hub"), (b, "B")] {
            baseline[name] = ResidentMemory.bytes(of: daemons[court]!.processIdentifier ?? 0) ?? 0
        }

        say("g. A → hub → B …")
        let sender = try CourtNode(dataDirectory: members[a]!.dataDirectory, time: SystemTimeSource())
        defer { try? sender.close() }
        func send(_ file: URL, sequence: Int) throws -> DocumentHash {
            let matter = try sender.createMatter(
                MatterDraft(caseNumber: "（2026）\(a)执\(sequence)号", entrustedCourt: b.rawValue, kind: "documents:serve"),
                attaching: [
                    DocumentFile(kind: .entrustmentLetter, file: file), DocumentFile(kind: .judgment, file: judgment),
                ], documentsLater: false, limits: DocumentStore.Limits(maxBytes: limits.maxDocumentBytes))
            return matter.documents[0].reference.hash
        }
        let receiverPath = CourtNode.replicaPath(in: members[b]!.dataDirectory)
        func arrived(_ hash: DocumentHash, within seconds: Double) async throws {
            var readOnly = Configuration()
            readOnly.readonly = true
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if let queue = try? DatabaseQueue(path: receiverPath, configuration: readOnly),
                    (try? await queue.read({
                        try Bool.fetchOne(
                            $0, sql: "SELECT EXISTS (SELECT 1 FROM documents WHERE hash = ?)", arguments: [hash.hex])
                    })) == true
                {
                    return
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw NodeError(code: "benchFailed", "document \(hash.hex.prefix(12)) did not reach B in \(Int(seconds)) s")
        }
        let started = Date()
        let firstHash = try send(first, sequence: 1)
        let stored = Date().timeIntervalSince(started)
        let hubHolds = DocumentStore(dataDirectory: members[.supreme]!.dataDirectory, suite: .ed25519)
        while !hubHolds.holds(firstHash) { try await Task.sleep(for: .milliseconds(5)) }
        let atHub = Date().timeIntervalSince(started)
        try await arrived(firstHash, within: 600)
        let transferSeconds = Date().timeIntervalSince(started)
        say(
            String(
                format: "g. stored at A after %.2f s, whole at the hub after %.2f s, at B after %.2f s", stored, atHub,
                transferSeconds))

        say("g. resume: B killed half-way …")
        daemons[b]!.stop()
        let half = DocumentStore.Manifest.chunkCount(size: size) / 2
        let crashing = ServeProcess(
            executable: executable, dataDirectory: members[b]!.dataDirectory, arguments: ["--log-level", "warning"],
            environment: [CrashPoint.environmentKey: "\(CrashPoint.documentChunkWritten.rawValue)@\(max(1, half))"])
        let secondHash = try send(second, sequence: 2)
        let hubStore = DocumentStore(dataDirectory: members[.supreme]!.dataDirectory, suite: .ed25519)
        let uploadDeadline = Date().addingTimeInterval(600)
        while !hubStore.holds(secondHash) {
            guard Date() < uploadDeadline else {
                throw NodeError(code: "benchFailed", "the hub did not get the document")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try crashing.start()
        let killDeadline = Date().addingTimeInterval(600)
        while crashing.isRunning {
            guard Date() < killDeadline else { throw NodeError(code: "benchFailed", "B was not killed half-way") }
            try await Task.sleep(for: .milliseconds(20))
        }
        try daemons[b]!.start()
        try await arrived(secondHash, within: 600)
        let hubReplica = try DatabaseQueue(path: CourtNode.replicaPath(in: members[.supreme]!.dataDirectory))
        let served = try await hubReplica.read {
            try Int.fetchOne(
                $0, sql: "SELECT coalesce(sum(bytes), 0) FROM document_reads WHERE hash = ? AND reader_court = ?",
                arguments: [secondHash.hex, b.rawValue]) ?? 0
        }
        var growth: [String: Int] = [:]
        for (court, name) in [(a, "A"), (CourtCode.supreme, "hub"), (b, "B")] {
            let peak = peakResident(of: daemons[court]!.processIdentifier ?? 0) ?? 0
            growth[name] = max(0, peak - (baseline[name] ?? 0))
        }
        return Result(
            size: size, transferSeconds: transferSeconds, rawSeconds: rawSeconds, resentBytes: max(0, served - size),
            rssGrowth: growth)
    }

    /// A PDF-looking file of `size` random (incompressible) bytes.
    static func makeDocument(size: Int, at url: URL) throws -> URL {
        var generator = SystemRandomNumberGenerator()
        FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var written = 0
        var header = Array("%PDF-1.7\n".utf8)
        while written < size {
            var piece = header
            header = []
            let count = min(1 << 20, size - written) - piece.count
            piece.reserveCapacity(count + piece.count)
            for _ in 0..<(count / 8) {
                withUnsafeBytes(of: generator.next()) { piece.append(contentsOf: $0) }
            }
            while piece.count < min(1 << 20, size - written) { piece.append(UInt8.random(in: 0...255)) }
            try handle.write(contentsOf: piece)
            written += piece.count
        }
        return url
    }

    /// Seconds to copy `file` over one loopback TCP connection (read from disk, written to the
    /// socket in 1 MiB pieces; the reader discards): the reference the transfer is measured against.
    static func rawLoopbackCopy(_ file: URL) throws -> Double {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw NodeError(code: "benchFailed", "no socket") }
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        guard bound == 0, listen(listener, 1) == 0 else { throw NodeError(code: "benchFailed", "cannot listen") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            defer { done.signal() }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while buffer.withUnsafeMutableBytes({ read(connection, $0.baseAddress, $0.count) }) > 0 {}
            close(connection)
        }
        reader.start()
        let started = Date()
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
        }
        guard connected == 0 else { throw NodeError(code: "benchFailed", "cannot connect") }
        let input = try FileHandle(forReadingFrom: file)
        defer { try? input.close() }
        while let piece = try input.read(upToCount: 1 << 20), !piece.isEmpty {
            var offset = 0
            while offset < piece.count {
                let n = piece.withUnsafeBytes { write(client, $0.baseAddress! + offset, piece.count - offset) }
                guard n > 0 else { throw NodeError(code: "benchFailed", "loopback write failed") }
                offset += n
            }
        }
        close(client)
        done.wait()
        return Date().timeIntervalSince(started)
    }

    /// The peak resident set (VmHWM) of a process, in bytes.
    static func peakResident(of pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        return nil
    }
}
