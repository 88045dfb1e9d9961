import ArgumentParser
import Foundation
import Node

/// `courtsync document …`: a document's bytes, by its hash.
struct DocumentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "document", abstract: "材料 — write out a document a matter here names.",
        subcommands: [GetDocument.self])

    struct GetDocument: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            abstract: "取材料 — write a document's bytes to a file, checked against its hash; the read is recorded (查阅留痕)."
        )
        @OptionGroup var node: NodeOptions
        @Argument(
            help:
                "The document's hash (64 hex digits: SHA-256, or SM3 in an sm2 network; see `courtsync matter documents`)."
        ) var hash: String
        @Option(name: .long, help: "The file to write (`-`: standard output).") var out: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reporting(json: output.json && out != "-") {
                let limits = node.documentLimits()
                let toStdout = out == "-"
                let result = try node.withNode { node in
                    try node.readDocument(
                        hash,
                        to: toStdout
                            ? .stream { FileHandle.standardOutput.write($0) } : .file(URL(fileURLWithPath: out)),
                        limits: limits)
                }
                if toStdout {
                    return
                } else if output.json {
                    struct Written: Encodable {
                        var hash: String
                        var matter: String
                        var size: Int
                        var file: String
                    }
                    printJSON(
                        Written(
                            hash: result.document.hash.hex, matter: result.matter, size: result.document.size, file: out
                        ))
                } else {
                    print("已写出 \(out)（\(DocumentSize.text(result.document.size))，哈希核对无误；已记入查阅留痕）")
                }
            }
        }
    }
}
