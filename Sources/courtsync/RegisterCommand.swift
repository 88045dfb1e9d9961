import ArgumentParser
import Entrustment
import Foundation
import Node
import SyncEngine

/// `courtsync register`: asks the hub to admit this node.
struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register",
        abstract: "注册节点 — send this node's court, node id and public key to the hub for approval.",
        discussion: """
            Sends to the hub in node.json, or, with --file, writes the signed request for hub staff to load with `courtsync hub pending --import FILE`. Hub staff then run `courtsync hub approve CODE`; until then every other node refuses this one.
            """)

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "Write the registration request to this file instead of sending it.")
    var file: String?
    @OptionGroup var output: OutputOptions

    struct RegisterView: Encodable {
        var court: String
        var node: String
        var publicKey: String
        var fingerprint: String
        var status: String
        var file: String?
        var hubKey: String?
    }

    func run() async throws {
        try await reportingAsync(json: output.json) {
            let dataDirectory = try node.dataDirectory()
            let courtNode = try CourtNode(
                dataDirectory: dataDirectory, time: .fromEnvironment(dataDirectory: dataDirectory))
            defer { try? courtNode.close() }
            let request = courtNode.registrationRequest()
            var view = RegisterView(
                court: request.court, node: request.node, publicKey: request.publicKey,
                fingerprint: courtNode.keyFingerprint, status: "written", file: file,
                hubKey: try courtNode.hubKey())
            if let file {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                do {
                    try encoder.encode(request).write(to: URL(fileURLWithPath: file), options: .atomic)
                } catch {
                    throw NodeError(code: "storage", "cannot write \(file): \(error.localizedDescription)")
                }
            } else {
                let config = try NodeConfig.load(from: dataDirectory)
                guard !config.hubs.isEmpty else {
                    throw NodeError(
                        code: "notConfigured", "node.json names no hub: pass --file to write the request instead")
                }
                let tls = try ClientTLS(settings: config.tls, dataDirectory: dataDirectory)
                var answer: (receipt: RegistrationReceipt, hub: String)?
                // The hub's URLs in order: the next only when one cannot be reached.
                for (index, hub) in config.hubs.enumerated() where answer == nil {
                    let transport = HTTPTransport(
                        base: try NodeConfig.parseURL(hub, what: "hub"), signer: nil, tls: tls,
                        requestTimeout: config.sync.requestTimeoutSeconds, maxBodyBytes: 1 << 20)
                    do {
                        answer = (try await transport.register(request), hub)
                    } catch let error as SyncError {
                        if index < config.hubs.count - 1, FailoverTransport.isUnreachable(error) { continue }
                        throw NodeError(code: error.code, error.message)
                    }
                }
                guard let (receipt, hub) = answer else {
                    throw NodeError(code: "unreachable", "no hub URL in node.json answered")
                }
                let suite = receipt.suite ?? .ed25519
                guard suite == courtNode.suite else {
                    throw NodeError(
                        code: "wrongSuite",
                        "\(hub) is the hub of a network of the \(suite) suite (\(suite.signatureName)/\(suite.hashName)), but this node was made for \(courtNode.suite): initialise it again with --suite \(suite)"
                    )
                }
                if view.hubKey == nil {
                    try courtNode.pinHubKeyOnFirstUse(receipt.hubKey)
                    FileHandle.standardError.write(
                        Data(
                            "courtsync: warning: pinned the hub key \(receipt.hubKey) on first use: confirm its fingerprint \(KeyFingerprint.of(publicKeyHex: receipt.hubKey, suite: suite)) with hub staff\n"
                                .utf8))
                } else if view.hubKey != receipt.hubKey {
                    throw NodeError(
                        code: "badSignature",
                        "\(hub) presents hub key \(receipt.hubKey.prefix(16))…, not the pinned \(view.hubKey!.prefix(16))…: it is not the hub this node trusts"
                    )
                }
                view.hubKey = receipt.hubKey
                view.status = receipt.status
            }
            if output.json {
                printJSON(view)
            } else {
                let status =
                    file != nil
                    ? "已写入 \(file!)（交指挥中心导入：courtsync hub pending --import）"
                    : (RegistrationStatusLabel.chinese(view.status))
                print(
                    renderFields([
                        ("法院", view.court), ("节点", view.node), ("节点公钥", view.publicKey),
                        ("公钥指纹", view.fingerprint), ("注册状态", status),
                    ]))
                print("请将公钥指纹电话告知指挥中心，由其核对后批准：courtsync hub approve \(view.court) --fingerprint \(view.fingerprint)")
            }
        }
    }
}

/// The Chinese label of a registration status as it travels (`pending` …).
enum RegistrationStatusLabel {
    static func chinese(_ raw: String) -> String {
        RegistrationStatus(rawValue: raw).map { "\($0.chineseName)（\(raw)）" } ?? raw
    }
}
