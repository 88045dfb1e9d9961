import Replica
import Testing

/// `COURTSYNC_CRASH_AT` values (`docs/reliability.md`). Only parsed here: this test process is
/// never armed (it would kill itself when an in-process sync test reached the point).
@Suite("crash point settings")
struct CrashPointParsingTests {
    @Test(
        "a point, optionally with its arrival",
        arguments: [
            ("pull-applied", CrashPoint.pullApplied, 1), ("push-acknowledged@3", .pushAcknowledged, 3),
            ("receive-committed@1", .receiveCommitted, 1),
        ])
    func accepted(_ text: String, _ point: CrashPoint, _ arrival: Int) throws {
        let parsed = try CrashPoint.parse(text)
        #expect(parsed.point == point)
        #expect(parsed.arrival == arrival)
    }

    @Test(
        "anything else is refused with the points listed",
        arguments: [
            "pull", "Pull-Applied", "pull-applied@0", "pull-applied@-1", "pull-applied@", "pull-applied@x", "@2",
            "pull-applied@1@2", " pull-applied",
        ])
    func refused(_ text: String) {
        #expect {
            try CrashPoint.parse(text)
        } throws: { error in
            let message = (error as? CrashPoint.InvalidSetting)?.description ?? ""
            return message.contains(CrashPoint.environmentKey) && message.contains("receive-committed")
        }
    }

    @Test("this test process is not armed")
    func unarmed() throws {
        #expect(try CrashPoint.armed() == nil)
    }
}
