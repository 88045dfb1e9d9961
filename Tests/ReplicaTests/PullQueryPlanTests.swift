import Entrustment
import GRDB
import TestSupport
import Testing

@testable import Replica

/// The query behind every pull (`Replica.changes`): for a high court, which sees a province, it
/// must read the rows after the cursor in arrival order and stop at its limit (a plan that
/// gathers all of its matters and sorts their events costs the whole history on every pull:
/// half a second at a million events); for a basic court, which sees a small share, it must
/// start from that court's matters (walking everyone's history after a far cursor would read a
/// million rows for a handful). Query plans are fixed by the schema, so this holds at any size.
@Suite("query plans that must not sort a whole history")
struct PullQueryPlanTests {
    /// The query plan of a pull of `court`'s changes from `table` after cursor 5.
    static func pullPlan(table: String, court code: String) throws -> [String] {
        let court = try TemporaryReplica(court: "粤0106")
        defer { court.remove() }
        let (sql, arguments) = court.replica.selectionQuery(
            table: table, columns: "e.arrival_seq", after: 5,
            selection: ChangeSelection(court: Fixtures.code(code), excludingNode: Fixtures.node("\(code).a")),
            suffix: "ORDER BY e.arrival_seq LIMIT ?")
        return try court.replica.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments + [10]).map {
                $0["detail"] as String
            }
        }
    }

    @Test(
        "a court's pull walks events and witnesses by arrival sequence, with no sort",
        arguments: ["events", "witnesses"])
    func walksByArrival(table: String) throws {
        let plan = try Self.pullPlan(table: table, court: "粤")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        #expect(plan.first?.contains("SEARCH e USING INTEGER PRIMARY KEY") == true, "\(plan)")
    }

    @Test(
        "a basic court's pull starts from its own matters, not from everyone's history",
        arguments: ["events", "witnesses"])
    func basicCourtStartsFromItsMatters(table: String) throws {
        let plan = try Self.pullPlan(table: table, court: "粤0106")
        #expect(plan.contains { $0.contains("SEARCH m USING INDEX matters_by_") }, "\(plan)")
        #expect(!plan.contains { $0.contains("SCAN e") }, "\(plan)")
    }

    @Test("the re-check of attested events takes the next ones in the list's order, with no sort")
    func recheckInListOrder() throws {
        let court = try TemporaryReplica(court: "粤0106")
        defer { court.remove() }
        let plan = try court.replica.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Replica.pendingOriginChecksSQL, arguments: [2_000]).map {
                $0["detail"] as String
            }
        }
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        #expect(plan.first?.hasPrefix("SCAN c") == true, "\(plan)")
    }
}
