import Entrustment
import Foundation
import Node
import SyncEngine
import Testing
import TestSupport

@Suite("node.json and backoff")
struct ConfigTests {
    static let reference = try! ReferenceData(folder: Fixtures.nodesFolder)

    @Test(
        "invalid settings are refused with the field named",
        arguments: [
            (NodeConfig(role: .hub, court: "京0105"), "a hub node serves 最高法"),
            (NodeConfig(role: .court, court: "最高法"), "use --role hub"),
            (NodeConfig(role: .court, court: "京9999"), "court"),
            (NodeConfig(role: .hub, court: "最高法", hubs: ["http://x:1"]), "no hub of its own"),
            (NodeConfig(role: .court, court: "京0105", listen: "localhost"), "HOST:PORT"),
            (NodeConfig(role: .court, court: "京0105", hubs: ["ftp://hub:21"]), "http(s)"),
            (
                NodeConfig(
                    role: .court, court: "京0105",
                    peers: [.init(court: "粤0106", url: "http://a:1"), .init(court: "粤0106", url: "http://b:1")]),
                "twice"
            ),
            (NodeConfig(role: .court, court: "京0105", peers: [.init(court: "京0105", url: "http://a:1")]), "own court"),
            (NodeConfig(role: .court, court: "京0105", hubs: ["http://a:1", "http://a:1"]), "hub URL twice"),
            (
                NodeConfig(role: .court, court: "京0105", store: .init(url: "postgres://u@db:5432/hub")),
                "only the hub has a store"
            ),
            (NodeConfig(role: .hub, court: "最高法", store: .init(url: "postgres://u:secret@db:5432/hub")), "password"),
            (NodeConfig(role: .hub, court: "最高法", store: .init(url: "mysql://u@db/hub")), "store mysql://u@db/hub"),
            (
                NodeConfig(role: .court, court: "京0105", hubs: (1...17).map { "http://10.0.0.\($0):7400" }),
                "more than 16"
            ),
            (
                NodeConfig(
                    role: .court, court: "京0105",
                    sync: {
                        var s = NodeConfig.Sync(); s.failbackSeconds = 0; return s
                    }()), "sync.failbackSeconds"
            ),
            (
                NodeConfig(
                    role: .court, court: "京0105",
                    sync: {
                        var s = NodeConfig.Sync(); s.intervalSeconds = 0; return s
                    }()), "sync.intervalSeconds"
            ),
            (
                NodeConfig(
                    role: .court, court: "京0105",
                    sync: {
                        var s = NodeConfig.Sync(); s.backoffJitter = 2; return s
                    }()), "backoffJitter"
            ),
            (
                NodeConfig(
                    role: .court, court: "京0105",
                    limits: {
                        var l = NodeConfig.Limits(); l.maxBodyBytes = 1 << 30; return l
                    }()), "limits"
            ),
        ])
    func invalid(config: NodeConfig, message: String) {
        #expect {
            try config.validate(directory: Self.reference.directory)
        } throws: { ($0 as? NodeError)?.message.contains(message) == true }
    }

    @Test("a hub and a court with a hub and a peer are valid, and node.json round-trips")
    func valid() throws {
        let court = NodeConfig(
            role: .court, court: "京0105", listen: "[::1]:7401", hubs: ["http://10.0.0.1:7400"],
            peers: [.init(court: "粤0106", url: "https://10.2.0.7:7400")])
        try court.validate(directory: Self.reference.directory)
        #expect(try court.listenAddress == ("::1", 7401))
        try NodeConfig(role: .hub, court: "最高法").validate(directory: Self.reference.directory)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        try court.save(to: folder.url)
        #expect(try NodeConfig.load(from: folder.url) == court)
    }

    @Test("\"hub\" is one URL or an array of them, and each form reads back as written")
    func hubURLs() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let one = #"{"role": "court", "court": "京0105", "hub": "http://10.0.0.1:7400"}"#
        let several = #"{"role": "court", "court": "京0105", "hub": ["http://10.0.0.1:7400", "http://10.0.0.2:7400"]}"#
        for (text, expected) in [
            (one, ["http://10.0.0.1:7400"]), (several, ["http://10.0.0.1:7400", "http://10.0.0.2:7400"]),
        ] {
            try Data(text.utf8).write(to: folder.path(NodeConfig.fileName))
            let config = try NodeConfig.load(from: folder.url)
            #expect(config.hubs == expected)
            #expect(config.hub == expected.first)
            #expect(try config.links.first?.urls.map(\.absoluteString) == expected)
            #expect(config.sync.failbackSeconds == NodeConfig.Sync().failbackSeconds)
            try config.save(to: folder.url)
            let written = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.path(NodeConfig.fileName)))
            let hub = (written as? [String: Any])?["hub"]
            #expect(expected.count == 1 ? hub is String : (hub as? [String]) == expected)
            #expect(try NodeConfig.load(from: folder.url) == config)
        }
    }

    @Test("\"store\" is a URL or an object with a passfile, and each form reads back")
    func storeSettings() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for (text, expected) in [
            (
                #"{"role": "hub", "court": "最高法", "store": "postgres://courtsync@db:5432/hub"}"#,
                NodeConfig.Store(url: "postgres://courtsync@db:5432/hub")
            ),
            (
                #"{"role": "hub", "court": "最高法", "store": {"url": "postgres://courtsync@db/hub", "passwordFile": "/etc/courtsync/pgpass"}}"#,
                NodeConfig.Store(url: "postgres://courtsync@db/hub", passwordFile: "/etc/courtsync/pgpass")
            ),
        ] {
            try Data(text.utf8).write(to: folder.path(NodeConfig.fileName))
            let config = try NodeConfig.load(from: folder.url)
            #expect(config.store == expected)
            try config.validate(directory: Self.reference.directory)
            try config.save(to: folder.url)
            #expect(try NodeConfig.load(from: folder.url) == config)
        }
    }

    @Test("a node.json that is not JSON, or lacks the role, is refused")
    func malformedFile() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        for text in ["{", #"{"court": "京0105"}"#, #"{"role": "relay", "court": "京0105"}"#] {
            try Data(text.utf8).write(to: folder.path(NodeConfig.fileName))
            #expect { try NodeConfig.load(from: folder.url) } throws: { ($0 as? NodeError)?.code == "invalidConfig" }
        }
    }

    @Test(
        "backoff doubles per failure up to the cap, and jitter takes only its share",
        arguments: [
            (1, 0.0, 0.5), (1, 1.0, 1.0), (2, 0.0, 1.0), (3, 1.0, 4.0), (6, 1.0, 32.0), (7, 1.0, 60.0), (7, 0.0, 30.0),
            (500, 1.0, 60.0), (0, 1.0, 0.0),
        ])
    func backoff(failures: Int, unit: Double, expected: Double) {
        let backoff = Backoff(initial: 1, maximum: 60, jitter: 0.5)
        #expect(abs(backoff.delay(afterFailures: failures, unit: unit) - expected) < 1e-9)
    }
}
