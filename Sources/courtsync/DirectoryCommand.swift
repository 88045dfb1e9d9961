import ArgumentParser
import Entrustment
import Foundation
import Node
import Replica

/// `courtsync directory`: the signed court directory this node holds (and `--import FILE`).
struct DirectoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory",
        abstract: "签名法院名录 — show the hub-signed directory of nodes and keys this node holds; --import a signed file.",
        discussion: """
            Nodes fetch the directory from the hub (or a peer) by themselves when they sync; --import installs one written by `courtsync hub directory --out` where there is no network. It is installed only if the pinned hub key verifies it and it is newer.
            """)

    @OptionGroup var node: NodeOptions
    @Option(name: .customLong("import"), help: "Install the signed directory in this file.")
    var importFile: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let (version, nodes, installed, suite) = try node.withNode { courtNode in
                var installed: Bool?
                if let importFile {
                    let data = try BoundedFile.read(
                        URL(fileURLWithPath: importFile), limit: SignedDirectory.maxPayloadBytes * 2)
                    installed = try courtNode.install(try SignedDirectory.decode(data)).installed
                }
                let nodes = try courtNode.read { () throws(ReplicaError) in try courtNode.replica.keyRegistry() }.nodes
                return (try courtNode.directoryVersion(), nodes, installed, courtNode.suite)
            }
            if output.json {
                struct View: Encodable {
                    var version: Int
                    var suite: SignatureSuite
                    var installed: Bool?
                    var nodes: [RegisteredNode]
                }
                printJSON(View(version: version, suite: suite, installed: installed, nodes: nodes))
            } else {
                if let installed {
                    print(installed ? "已安装签名法院名录 第 \(version) 版" : "未安装：本节点已有第 \(version) 版（同版或更新）")
                }
                print("签名法院名录：第 \(version) 版，\(nodes.count) 个节点，签名套件 \(suite.signatureName)/\(suite.hashName)")
                printRegistrations(nodes, suite: suite, json: false, empty: "（尚无签名名录：节点注册获批后同步即得）")
            }
        }
    }
}
