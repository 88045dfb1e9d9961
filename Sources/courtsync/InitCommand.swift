import ArgumentParser
import Entrustment
import Foundation
import Node

/// `courtsync init`: creates a node's data directory and replica.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "初始化节点 — create a node's data directory and replica for one court.")

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "The court this node serves, by its code (法院代字), e.g. 京0105.")
    var court: String
    @Option(name: .customLong("nodes-dir"), help: "The folder with courts.json and calendar.json (default: Nodes/).")
    var nodesDir: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let folder = try nodesDir.map { URL(fileURLWithPath: $0) } ?? ReferenceData.locateFolder()
            let reference = try ReferenceData(folder: folder)
            let created = try CourtNode.initialise(
                dataDirectory: node.dataDirectory(), court: court, reference: reference, time: .fromEnvironment())
            defer { try? created.close() }
            let court = created.replica.directory[created.identity.court]!
            let calendarYears = created.replica.calendar.years.keys.sorted().map(String.init).joined(separator: ", ")
            if output.json {
                struct InitView: Encodable {
                    var court: String
                    var courtName: String
                    var nodeId: String
                    var dataDir: String
                    var courts: Int
                    var calendarYears: [Int]
                }
                printJSON(
                    InitView(
                        court: court.code.rawValue, courtName: court.name, nodeId: created.identity.node.rawValue,
                        dataDir: created.dataDirectory.path, courts: created.replica.directory.count,
                        calendarYears: created.replica.calendar.years.keys.sorted()))
            } else {
                print(
                    renderFields([
                        ("法院", "\(court.name)（\(court.code)）"),
                        ("节点", created.identity.node.rawValue),
                        ("数据目录", created.dataDirectory.path),
                        ("法院名录", "\(created.replica.directory.count) 家法院"),
                        ("节假日历", calendarYears),
                    ]))
            }
        }
    }
}
