import Entrustment
import SyncEngine
import Testing
import TestSupport

/// Long-polls are grouped by court: a commit wakes the polls of the courts that may see it and
/// the node's own loops, not every parked poll of the network.
@Suite("change notifications by court")
struct ChangeNotifierTests {
    /// Parks a waiter for `court` and returns its task and the version it saw.
    private func park(_ notifier: ChangeNotifier, _ court: CourtCode?) async -> Task<Bool, Never> {
        let seen = await notifier.version(for: court)
        let before = await notifier.waiting
        let task = Task { await notifier.wait(beyond: seen, seconds: 600, court: court) }
        while await notifier.waiting == before { await Task.yield() }
        return task
    }

    @Test("a change concerning some courts wakes their polls and the loops of no court, and no one else")
    func grouped() async {
        let notifier = ChangeNotifier()
        let beijing = Fixtures.code("京0105")
        let guangzhou = Fixtures.code("粤0106")
        let chengdu = Fixtures.code("川0104")
        let pollBeijing = await park(notifier, beijing)
        let pollChengdu = await park(notifier, chengdu)
        let loop = await park(notifier, nil)
        #expect(await notifier.waiting == 3)
        await notifier.changed(concerning: [beijing, guangzhou])
        #expect(await pollBeijing.value == true)
        #expect(await loop.value == true)
        #expect(await notifier.waiting == 1, "the Chengdu poll still waits")
        await notifier.changed()
        #expect(await pollChengdu.value == true, "a change for every court wakes every poll")
        #expect(await notifier.waiting == 0)
    }

    @Test("a poll that parks after a change of its court does not wait at all")
    func noLostWakeUp() async {
        let notifier = ChangeNotifier()
        let court = Fixtures.code("京0105")
        let seen = await notifier.version(for: court)
        await notifier.changed(concerning: [court])
        #expect(await notifier.wait(beyond: seen, seconds: 600, court: court))
        let other = await notifier.version(for: Fixtures.code("粤0106"))
        await notifier.changed(concerning: [court])
        #expect(await notifier.wait(beyond: other, seconds: 0.05, court: Fixtures.code("粤0106")) == false)
    }
}
