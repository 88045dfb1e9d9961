import ArgumentParser
import Entrustment
import Foundation
import Node

/// `courtsync hub …`: hub staff's commands on the hub's data directory.
struct HubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract:
            "指挥中心 — the hub's key, node registrations (审核/批准/拒绝/吊销), the signed court directory and calendar, late reports, staff tokens.",
        subcommands: [
            HubKeyCommand.self, HubPendingCommand.self, HubDecisionCommand.Approve.self,
            HubDecisionCommand.Reject.self, HubDecisionCommand.Revoke.self, HubDirectoryCommand.self,
            HubCalendarCommand.self, HubAcceptLateCommand.self, TokenCommand.self, HubMigrateCommand.self,
            HubJoinCommand.self,
        ])
}

/// `courtsync hub key`: the hub's public key, for courts to pin at init.
struct HubKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "指挥中心公钥 — print the hub's public key (give it to courts for init --hub-key).")

    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let (key, nodeID, suite, fingerprint) = try node.withNode { hub in
                guard hub.isHub else {
                    throw NodeError(code: "notHub", "this is the node of \(hub.identity.court), not the hub")
                }
                return (hub.publicKey, hub.identity.node.rawValue, hub.suite, hub.keyFingerprint)
            }
            if output.json {
                struct KeyView: Encodable {
                    var node: String
                    var suite: String
                    var publicKey: String
                    var fingerprint: String
                }
                printJSON(KeyView(node: nodeID, suite: suite.rawValue, publicKey: key, fingerprint: fingerprint))
            } else {
                print(key)
            }
        }
    }
}

/// `courtsync hub pending`: registrations waiting for hub staff (all of them with `--all`).
struct HubPendingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending", abstract: "待审核注册 — list registrations waiting for approval (--all: every node).")

    @OptionGroup var node: NodeOptions
    @Flag(name: .long, help: "List every registration, whatever its status.")
    var all = false
    @Option(
        name: .customLong("import"), help: "First record a registration request written by `courtsync register --file`."
    )
    var importFile: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let list = try node.withNode { hub in
                if let importFile {
                    let data = try BoundedFile.read(URL(fileURLWithPath: importFile), limit: 64 << 10)
                    guard let request = try? JSONDecoder().decode(RegistrationRequest.self, from: data) else {
                        throw NodeError(code: "invalidRequest", "\(importFile) is not a registration request")
                    }
                    _ = try hub.receiveRegistration(request)
                }
                return (try hub.registrations().filter { all || $0.status == .pending }, hub.suite)
            }
            printRegistrations(list.0, suite: list.1, json: output.json, empty: all ? "无注册节点" : "无待审核注册")
        }
    }
}

/// `courtsync hub approve|reject|revoke CODE`.
enum HubDecisionCommand {
    struct Arguments: ParsableArguments {
        @OptionGroup var node: NodeOptions
        @Argument(help: "The court's code (法院代字).")
        var court: String
        @Option(name: .customLong("node"), help: "The node id, when the court has several registrations.")
        var nodeID: String?
        @Option(
            name: .long,
            help:
                "公钥指纹 — decide only the key with this fingerprint, as the court's operator reads it out (courtsync register prints it)."
        )
        var fingerprint: String?
        @OptionGroup var output: OutputOptions

        func decide(_ decision: RegistrationDecision) throws {
            try reporting(json: output.json) {
                let (entry, suite) = try node.withNode { hub in
                    (try hub.decide(decision, court: court, node: nodeID, fingerprint: fingerprint), hub.suite)
                }
                printRegistrations([entry], suite: suite, json: output.json, empty: "")
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve", abstract: "批准 — approve a pending registration and issue a new signed directory.")
        @OptionGroup var arguments: Arguments
        func run() throws { try arguments.decide(.approve) }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reject", abstract: "拒绝 — reject a pending registration.")
        @OptionGroup var arguments: Arguments
        func run() throws { try arguments.decide(.reject) }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke",
            abstract: "吊销 — revoke an approved node's key; events it signed before now stay valid.")
        @OptionGroup var arguments: Arguments
        func run() throws { try arguments.decide(.revoke) }
    }
}

/// `courtsync hub directory --out FILE`: the signed directory, for courts without a network link.
struct HubDirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory",
        abstract: "导出法院名录 — write the signed court directory to a file (courtsync directory --import on a court).")

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "The file to write.")
    var out: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let (document, version) = try node.withNode { hub in
                guard let document = try hub.signedDirectory() else {
                    throw NodeError(code: "notFound", "this node holds no signed directory")
                }
                return (document, try hub.directoryVersion())
            }
            do {
                try document.encoded().write(to: URL(fileURLWithPath: out), options: .atomic)
            } catch {
                throw NodeError(code: "storage", "cannot write \(out): \(error.localizedDescription)")
            }
            if output.json {
                struct View: Encodable {
                    var file: String
                    var version: Int
                }
                printJSON(View(file: out, version: version))
            } else {
                print("已写入签名法院名录 第 \(version) 版：\(out)")
            }
        }
    }
}

/// Prints registrations as a table or `{"nodes": […]}`, with fingerprints in the network's suite.
func printRegistrations(_ nodes: [RegisteredNode], suite: SignatureSuite, json: Bool, empty: String) {
    if json {
        struct Entry: Encodable {
            var node: RegisteredNode
            var fingerprint: String
            func encode(to encoder: any Encoder) throws {
                try node.encode(to: encoder)
                var c = encoder.container(keyedBy: Key.self)
                try c.encode(fingerprint, forKey: .fingerprint)
            }
            enum Key: String, CodingKey { case fingerprint }
        }
        struct List: Encodable { var nodes: [Entry] }
        printJSON(List(nodes: nodes.map { Entry(node: $0, fingerprint: $0.fingerprint(suite: suite)) }))
        return
    }
    guard !nodes.isEmpty else {
        print(empty)
        return
    }
    var table = TextTable(headers: ["法院", "节点", "公钥指纹", "状态", "申请时间", "决定时间", "吊销时间"])
    for node in nodes {
        table.append([
            node.court.rawValue, node.node.rawValue, node.fingerprint(suite: suite), node.status.chineseName,
            node.requestedAt,
            node.decidedAt ?? "—", node.revokedAt ?? "—",
        ])
    }
    print(table.rendered)
}
