import ArgumentParser
import Foundation
import Node
import SyncEngine

/// Runs a command body and reports failure as operators expect: one line on stderr naming the
/// problem (and, with `--json`, `{"error": {"code", "message"}}` on stdout), exit status 1.
func reporting(json: Bool, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as NodeError {
        fail(code: error.code, message: error.message, json: json)
    } catch let error as ExitCode {
        throw error
    } catch {
        fail(code: "internal", message: "\(error)", json: json)
    }
}

/// ``reporting(json:_:)`` for commands that wait on the network.
func reportingAsync(json: Bool, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as NodeError {
        fail(code: error.code, message: error.message, json: json)
    } catch let error as ExitCode {
        throw error
    } catch {
        fail(code: "internal", message: "\(error)", json: json)
    }
}

private func fail(code: String, message: String, json: Bool) -> Never {
    if json {
        printJSON(ErrorDocument(code: code, message: message))
    }
    FileHandle.standardError.write(Data("courtsync: error: \(TerminalText.escape(message))\n".utf8))
    exit(1)
}

/// Prints one JSON document on stdout.
func printJSON(_ value: some Encodable) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    print(String(decoding: data, as: UTF8.self))
}
