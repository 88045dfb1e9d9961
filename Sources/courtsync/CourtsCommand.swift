import ArgumentParser
import Entrustment
import Foundation
import Node

/// `courtsync courts`: the court directory.
struct CourtsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "courts",
        abstract: "法院名录 — list the court directory (the node's, or the shipped Nodes/courts.json).")

    @Option(name: .long, help: "Only courts of this level: supreme|high|intermediate|basic (最高法院/高级法院/中级法院/基层法院).")
    var level: String?
    @Option(name: .customLong("data-dir"), help: "A node's data directory; without it the shipped directory is listed.")
    var dataDir: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            var wanted: CourtLevel?
            if let level {
                guard let parsed = CourtLevel(text: level) else {
                    throw NodeError(
                        code: "invalidLevel",
                        "unknown court level \"\(level)\": use supreme, high, intermediate or basic")
                }
                wanted = parsed
            }
            let directory: CourtDirectory
            if dataDir != nil || ProcessInfo.processInfo.environment["COURTSYNC_DATA_DIR"] != nil {
                directory = try NodeOptions(dataDir: dataDir).withNode { $0.replica.directory }
            } else {
                directory = try ReferenceData(folder: ReferenceData.locateFolder()).directory
            }
            let courts = directory.all.filter { wanted == nil || $0.level == wanted }
            if output.json {
                struct CourtView: Encodable {
                    var code: String
                    var name: String
                    var level: String
                    var province: String
                    var parent: String?
                }
                struct CourtList: Encodable { var courts: [CourtView] }
                printJSON(
                    CourtList(
                        courts: courts.map {
                            CourtView(
                                code: $0.code.rawValue, name: $0.name, level: $0.level.rawValue,
                                province: $0.code.provinceName, parent: $0.parent?.rawValue)
                        }))
            } else {
                var table = TextTable(headers: ["法院代字", "法院名称", "级别", "地区", "上级法院"])
                for court in courts {
                    table.append([
                        court.code.rawValue, court.name, court.level.chineseName, court.code.provinceName,
                        court.parent?.rawValue ?? "—",
                    ])
                }
                print(table.rendered)
                print("共 \(courts.count) 家法院")
            }
        }
    }
}

extension NodeOptions {
    init(dataDir: String?) {
        self.init()
        self.dataDir = dataDir
    }
}
