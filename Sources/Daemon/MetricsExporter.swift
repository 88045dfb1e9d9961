import CoreMetrics
import Entrustment
import Metrics
import Monitoring
import Prometheus
import SyncEngine

/// `/metrics`: the Prometheus text exposition (swift-prometheus) of the counters the sync engine
/// reports through swift-metrics, and of the monitoring figures, recomputed at each scrape.
///
/// The counters live in one registry for the life of the process; the figures go into a fresh
/// registry at each scrape, so a figure that has no value now (a node with no events in the
/// window, a rate without a denominator) is absent rather than stuck at its last value.
final class MetricsExporter: Sendable {
    let registry = PrometheusCollectorRegistry()

    /// Help texts of the figures set at scrape time.
    static let help: [String: String] = [
        "courtsync_matters_sent": "事项委托数: matters sent, all courts, since the first matter.",
        "courtsync_matters_completed": "办结数: matters completed, all courts.",
        "courtsync_matters_returned": "退回数: matters returned, all courts.",
        "courtsync_completion_rate": "办结率: completed / (completed + returned), all courts (fraction 0-1).",
        "courtsync_on_time_rate": "期限内办结率: completed by the original deadline / completed, all courts (fraction 0-1).",
        "courtsync_completion_time_mean_seconds":
            "平均用时: mean time from receipt to completion, all courts (seconds; the report shows days = seconds / 86400).",
        "courtsync_completion_time_median_seconds":
            "用时中位数: median time from receipt to completion, all courts (seconds).",
        "courtsync_completion_time_p90_seconds":
            "用时P90: 90th percentile (nearest rank) of the time from receipt to completion (seconds).",
        "courtsync_overdue_open": "超期未办结: open matters past their completion deadline now, all courts.",
        "courtsync_court_matters_sent": "事项委托数 by entrusting court.",
        "courtsync_court_matters_received": "受托数 by entrusted court.",
        "courtsync_court_matters_completed": "办结数 by entrusted court.",
        "courtsync_court_matters_returned": "退回数 by entrusted court.",
        "courtsync_court_on_time_rate": "期限内办结率 by entrusted court (fraction 0-1; absent before a completion).",
        "courtsync_court_completion_time_mean_seconds":
            "平均用时 by entrusted court (seconds; absent before a completion).",
        "courtsync_court_overdue_open": "超期未办结 by entrusted court.",
        "courtsync_node_sync_lag_seconds":
            "Seconds from an event's recording at its origin node to its storage here, over the latency window, by stat (p50, p90, p99).",
        "courtsync_node_events_window": "Events from the node stored here within the latency window.",
        "courtsync_node_last_contact_timestamp_seconds": "Unix time of the node's latest authenticated sync request.",
        "courtsync_node_backlog_events": "Events here the node may see and has not pulled yet.",
        "courtsync_node_stale": "1 if the node has been silent longer than monitoring.staleAfterSeconds, else 0.",
    ]

    /// Bootstraps swift-metrics onto this exporter's registry (once per process).
    func bootstrap() {
        MetricsSystem.bootstrap(DescribedMetricsFactory(registry: registry, help: SyncMetrics.help))
    }

    /// The exposition, after setting the figures from `indicators` and `latency`.
    func exposition(indicators: IndicatorReport, latency: LatencyReport) -> String {
        let figures = PrometheusCollectorRegistry()
        func set(_ name: String, _ value: Double?, _ labels: [(String, String)] = []) {
            Self.set(name, value, labels, in: figures)
        }
        let total = indicators.total
        set("courtsync_matters_sent", Double(total.sent))
        set("courtsync_matters_completed", Double(total.completed))
        set("courtsync_matters_returned", Double(total.returned))
        set("courtsync_completion_rate", total.completionRate)
        set("courtsync_on_time_rate", total.onTimeRate)
        set("courtsync_completion_time_mean_seconds", seconds(total.meanDays))
        set("courtsync_completion_time_median_seconds", seconds(total.medianDays))
        set("courtsync_completion_time_p90_seconds", seconds(total.p90Days))
        set("courtsync_overdue_open", Double(total.overdueOpen))
        for row in indicators.rows {
            let labels = [("court", row.key)]
            set("courtsync_court_matters_sent", Double(row.sent), labels)
            set("courtsync_court_matters_received", Double(row.received), labels)
            set("courtsync_court_matters_completed", Double(row.completed), labels)
            set("courtsync_court_matters_returned", Double(row.returned), labels)
            set("courtsync_court_on_time_rate", row.onTimeRate, labels)
            set("courtsync_court_completion_time_mean_seconds", seconds(row.meanDays), labels)
            set("courtsync_court_overdue_open", Double(row.overdueOpen), labels)
        }
        for node in latency.nodes {
            let labels = [("node", node.node), ("court", node.court)]
            for (stat, value) in [("p50", node.p50Seconds), ("p90", node.p90Seconds), ("p99", node.p99Seconds)] {
                set("courtsync_node_sync_lag_seconds", value, labels + [("stat", stat)])
            }
            set("courtsync_node_events_window", Double(node.events), labels)
            set(
                "courtsync_node_last_contact_timestamp_seconds",
                node.lastContactAt.map { Double($0.milliseconds) / 1000 }, labels)
            set("courtsync_node_backlog_events", node.backlog.map(Double.init), labels)
            set("courtsync_node_stale", node.stale ? 1 : 0, labels)
        }
        return registry.emitToString() + figures.emitToString()
    }

    /// Days as Prometheus's base unit, seconds.
    private func seconds(_ days: Double?) -> Double? { days.map { $0 * 86_400 } }

    /// Sets a gauge; a figure without a value (a rate without a denominator) is left out.
    private static func set(
        _ name: String, _ value: Double?, _ labels: [(String, String)], in registry: PrometheusCollectorRegistry
    ) {
        guard let value else { return }
        let descriptor = MetricNameDescriptor(metricName: name, unitName: "", helpText: help[name] ?? "")
        registry.makeGauge(descriptor: descriptor, labels: labels).set(to: value)
    }
}

/// swift-metrics onto a Prometheus registry, with the help text of each name (`promtool` wants one).
struct DescribedMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry
    let help: [String: String]

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(
            descriptor: descriptor(label), labels: dimensions,
            buckets: [.milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60)])
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
