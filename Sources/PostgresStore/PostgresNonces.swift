import NIOCore
import PostgresNIO

/// Request nonces spent at any process of a hub that runs as several (`Protocol/sync.md` §2):
/// a request replayed to another process than the one that served it is refused there too.
/// Each process keeps its own ledger in memory first (replays to the same process, the per-node
/// allowance); a nonce fresh there is then spent here, in `courtsync_nonces`, once for all.
public struct PostgresNonces: Sendable {
    private let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// Spends `nonce` for `node` until `expires` (milliseconds since 1970): `false` if any
    /// process spent it already.
    public func spend(_ nonce: [UInt8], node: String, expires: Int64) async throws(PostgresStoreError) -> Bool {
        try await database.withConnection { connection in
            let rows = try await connection.query(
                """
                INSERT INTO courtsync_nonces (node_id, nonce, expires_ms) VALUES (\(node), \(ByteBuffer(bytes: nonce)), \(expires))
                ON CONFLICT DO NOTHING RETURNING 1
                """, logger: database.logger)
            for try await _ in rows { return true }
            return false
        }
    }

    /// Forgets the nonces whose requests left the window before `now` (milliseconds since 1970);
    /// returns how many.
    @discardableResult
    public func forget(before now: Int64) async throws(PostgresStoreError) -> Int {
        try await database.withConnection { connection in
            let rows = try await connection.query(
                "DELETE FROM courtsync_nonces WHERE expires_ms < \(now) RETURNING 1", logger: database.logger)
            var count = 0
            for try await _ in rows { count += 1 }
            return count
        }
    }
}
