/// Checks `condition` every 50 ms until it holds or `seconds` pass, and returns whether it held
/// (it is checked once more at the deadline). Between checks the task sleeps: no thread is held
/// while it waits. Throws what `condition` throws, and `CancellationError` when the test is
/// cancelled.
public func eventually(
    within seconds: Double = 30, isolation: isolated (any Actor)? = #isolation,
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
    while clock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
