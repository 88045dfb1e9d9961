import ArgumentParser
import Foundation
import Node
import Replica

/// `courtsync token …` (on the hub also `courtsync hub token …`): the tokens staff read the
/// monitoring endpoints with (`/api/v1/…`, `/metrics`, the dashboard's figures).
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "监控令牌 — staff tokens for /api/v1, /metrics and the dashboard: create, list, revoke.",
        discussion: """
            The monitoring endpoints answer only requests carrying a token of this node (Authorization: Bearer TOKEN); the dashboard asks for it once and keeps it for the browser session. A token is shown once, when created, and stored only as its SHA-256. Scope monitoring reads everything; scope metrics reads /metrics only (for a Prometheus scraper).
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Make a token (shown once).")
        @OptionGroup var node: NodeOptions
        @Option(name: .long, help: "Who holds it (e.g. 张三 or prometheus).") var name: String
        @Option(name: .long, help: "monitoring (default) or metrics.") var scope: String = "monitoring"
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reporting(json: output.json) {
                guard let parsed = StaffToken.Scope(rawValue: scope) else {
                    throw NodeError(code: "invalidArgument", "--scope must be monitoring or metrics")
                }
                let (token, record) = try node.withNode { try $0.createStaffToken(name: name, scope: parsed) }
                if output.json {
                    struct View: Encodable {
                        var token: String
                        var record: StaffToken
                    }
                    printJSON(View(token: token, record: record))
                } else {
                    print(token)
                    FileHandle.standardError.write(
                        Data("courtsync: 令牌只显示这一次，请妥善保管（\(record.name)，\(record.scope.rawValue)）\n".utf8))
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The tokens, revoked ones too.")
        @OptionGroup var node: NodeOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reporting(json: output.json) {
                let tokens = try node.withNode { try $0.staffTokens() }
                if output.json {
                    struct View: Encodable { var tokens: [StaffToken] }
                    printJSON(View(tokens: tokens))
                    return
                }
                guard !tokens.isEmpty else {
                    print("没有监控令牌（courtsync token create --name NAME）")
                    return
                }
                var table = TextTable(headers: ["名称", "范围", "创建时间", "吊销时间"])
                for token in tokens {
                    table.append([token.name, token.scope.rawValue, token.createdAt, token.revokedAt ?? "—"])
                }
                print(table.rendered)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by name.")
        @OptionGroup var node: NodeOptions
        @Argument(help: "The token's name.") var name: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reporting(json: output.json) {
                let token = try node.withNode { try $0.revokeStaffToken(name: name) }
                if output.json { printJSON(token) } else { print("已吊销令牌 \(token.name)") }
            }
        }
    }
}
