import Synchronization
import SyncEngine

/// The registration bodies being read from each address (`POST /v1/register`, the only endpoint
/// that reads a body from a caller who has not proved who it is): at most ``perAddress`` at once
/// (`429 tooManyRequests` beyond), so that one address cannot keep many slow bodies coming.
final class RegistrationBodies: Sendable {
    /// Bodies read at once from one address.
    let perAddress: Int
    private let reading = Mutex<[String: Int]>([:])

    init(perAddress: Int = 2) { self.perAddress = perAddress }

    /// Runs `read` if fewer than ``perAddress`` bodies from `address` are being read; refuses
    /// otherwise.
    func reading<T>(from address: String, _ read: () async throws -> T) async throws -> T {
        let admitted = reading.withLock { reading in
            guard reading[address, default: 0] < perAddress else { return false }
            reading[address, default: 0] += 1
            return true
        }
        guard admitted else {
            throw SyncError(
                code: "tooManyRequests", status: 429,
                "\(perAddress) registrations from \(address) are already being received; try again when they are done")
        }
        defer {
            reading.withLock { reading in
                reading[address, default: 1] -= 1
                if reading[address] == 0 { reading.removeValue(forKey: address) }
            }
        }
        return try await read()
    }
}
