import ArgumentParser

/// `courtsync`: the CourtSync node and its operator commands.
@main
struct CourtSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "courtsync",
        abstract: "CourtSync — 执行事项委托 跨域协同节点 (cross-region enforcement entrustment node).",
        discussion: """
            Each court runs a node with its own SQLite replica (DATA_DIR/replica.sqlite) and settings (DATA_DIR/node.json). Matters (事项委托) are created by the entrusting court (委托法院) and signed, carried out and fed back by the entrusted court (受托法院). `courtsync serve` runs the node's daemon, which syncs with the supreme-level hub (最高法) and with peer courts over HTTP; change files (离线介质) carry events where there is no network.

            COURTSYNC_DATA_DIR stands in for --data-dir.

            COURTSYNC_NOW sets the current time, RFC 3339 (e.g. 2026-11-23T09:00:00+08:00), for scripts, tests and simulations.

            COURTSYNC_NODES_DIR names the folder holding courts.json and calendar.json (default: the nearest Nodes/ above the executable or the working directory).

            COURTSYNC_CRASH_AT=point[@n] makes the process kill itself (SIGKILL) the n-th time it reaches a named point of the sync path or of a schema migration, for fault tests only (docs/reliability.md).
            """,
        subcommands: [
            InitCommand.self, MatterCommand.self, ServeCommand.self, SyncCommand.self, PeersCommand.self,
            StatusCommand.self, QuarantineCommand.self, ConflictsCommand.self, DigestCommand.self, CourtsCommand.self,
            ExportCommand.self, ImportCommand.self, BackupCommand.self, RestoreCommand.self, DoctorCommand.self,
            RegisterCommand.self,
            HubCommand.self, DirectoryCommand.self,
            CalendarCommand.self, TokenCommand.self, AuditCommand.self, DocumentCommand.self, ReportCommand.self,
            DemoCommand.self,
            BenchCommand.self,
        ]
    )
}
