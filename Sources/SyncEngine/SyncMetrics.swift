import CoreMetrics
import Replica

/// The counters the sync engine reports through swift-metrics (the daemon exports them on
/// `/metrics`; without a metrics backend they cost nothing). Names and help texts are listed
/// here once, in ``help``.
public enum SyncMetrics {
    /// Every metric name this module reports, with its help text.
    public static let help: [String: String] = [
        "courtsync_events_stored_total": "Events stored from change sets, by how they came (push received, pull made).",
        "courtsync_events_duplicate_total": "Events received that were already stored, by how they came.",
        "courtsync_events_quarantined_total":
            "Events held in quarantine (parents missing, clock ahead), by how they came.",
        "courtsync_events_refused_total":
            "Events refused (bad signature, forbidden act, matter not visible), by how they came.",
        "courtsync_changeset_bytes_total": "Compressed change-set bytes, by direction (in, out).",
        "courtsync_sync_requests_total": "Authenticated sync requests served, by endpoint (hello, pull, push).",
        "courtsync_sync_requests_refused_total": "Sync requests refused before they were served, by error code.",
    ]

    /// Counts what one stored change set did; `via` is `push` (received) or `pull` (made).
    static func stored(_ report: ReplicaTransaction.AppendReport, via: String, bytes: Int) {
        let dimensions = [("via", via)]
        Counter(label: "courtsync_events_stored_total", dimensions: dimensions).increment(by: report.stored)
        Counter(label: "courtsync_events_duplicate_total", dimensions: dimensions).increment(by: report.duplicates)
        Counter(label: "courtsync_events_quarantined_total", dimensions: dimensions).increment(
            by: report.quarantined.count)
        Counter(label: "courtsync_events_refused_total", dimensions: dimensions).increment(
            by: report.refused.count + report.notVisible)
        Counter(label: "courtsync_changeset_bytes_total", dimensions: [("direction", "in")]).increment(by: bytes)
    }

    /// Counts change-set bytes sent (a pull answered, a push made).
    static func sent(bytes: Int) {
        Counter(label: "courtsync_changeset_bytes_total", dimensions: [("direction", "out")]).increment(by: bytes)
    }

    /// Counts an authenticated request served.
    static func served(_ endpoint: String) {
        Counter(label: "courtsync_sync_requests_total", dimensions: [("endpoint", endpoint)]).increment()
    }

    /// Counts a request refused by its headers or signature.
    static func refused(code: String) {
        Counter(label: "courtsync_sync_requests_refused_total", dimensions: [("code", code)]).increment()
    }
}
