import GRDB

extension Database {
    /// Runs a statement compiled once per connection and kept in its statement cache: for the
    /// statements of the apply path, which run once per event or matter.
    func executeCached(sql: String, arguments: StatementArguments = StatementArguments()) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
