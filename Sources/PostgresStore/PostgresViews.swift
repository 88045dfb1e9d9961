import Replica

/// The views hub staff's tools read (`docs/postgres.md`, "For analysts"): stable names and
/// plain types over the mirrors of the replica's tables, so that a BI tool or `psql` needs to
/// know nothing of the internal tables. `courtsync_indicators` gives, per court and over all
/// matters, the figures `courtsync report --json` gives with no period (`docs/indicators.md`),
/// computed from the same counted times the hub's fold wrote.
enum PostgresViews {
    /// The statements creating the views, once the mirrors of `matters`, `events` and `courts`
    /// exist (`CREATE OR REPLACE`: run at every start).
    static func statements(for tables: [MirroredTable]) -> [String] {
        let names = Set(tables.map(\.name))
        guard names.isSuperset(of: ["matters", "events", "courts", "witnesses"]) else { return [] }
        return [matters, events, indicators]
    }

    /// One row per matter: its parties, kind, state, and the counted times and deadlines the
    /// figures use (China Standard Time deadlines end at 24:00 of their last day).
    static let matters = """
        CREATE OR REPLACE VIEW courtsync_matters AS
        SELECT m.id AS matter_id, m.case_number, m.entrusting_court, m.entrusted_court, m.kind, m.state,
            m.urgent <> 0 AS urgent,
            m.counted_sent_at::timestamptz AS sent_at,
            m.counted_received_at::timestamptz AS received_at,
            m.counted_signed_at::timestamptz AS signed_at,
            m.counted_completed_at::timestamptz AS completed_at,
            m.counted_returned_at::timestamptz AS returned_at,
            m.counted_withdrawn_at::timestamptz AS withdrawn_at,
            m.counted_sign_due::date AS sign_due,
            m.counted_due::date AS due,
            m.counted_extended_due::date AS extended_due,
            ((m.counted_due::date + 1)::text || ' 00:00:00+08')::timestamptz AS due_end,
            ((coalesce(m.counted_extended_due, m.counted_due)::date + 1)::text || ' 00:00:00+08')::timestamptz
                AS extended_due_end,
            m.due_provisional <> 0 AS due_provisional,
            m.urge_count, m.supervised <> 0 AS supervised, m.late_reports, m.event_count,
            m.last_activity_at::timestamptz AS last_activity_at
        FROM replica_matters m
        """

    /// One row per stored event, in the hub's arrival order, with the hub's 存证 witness time.
    static let events = """
        CREATE OR REPLACE VIEW courtsync_events AS
        SELECT e.arrival_seq, e.id AS event_id, e.matter_id, e.kind, e.author AS court, e.origin AS node,
            e.recorded_at::timestamptz AS recorded_at, e.stored_at::timestamptz AS stored_at,
            w.at::timestamptz AS witnessed_at, e.received_from
        FROM replica_events e
        LEFT JOIN replica_witnesses w ON w.event_id = e.id AND w.kind = 'stored'
        """

    /// Per court, over all matters: the figures of `courtsync report --json` without a period.
    /// Counts sent and withdrawn go to the entrusting court, the rest to the entrusted court;
    /// rates are `NULL` when their denominator is 0; days are fractional.
    static let indicators = """
        CREATE OR REPLACE VIEW courtsync_indicators AS
        WITH m AS (
            SELECT *,
                extract(epoch FROM completed_at - coalesce(received_at, sent_at)) / 86400 AS completion_days,
                extract(epoch FROM completed_at - sent_at) / 86400 AS completion_days_from_sent,
                extract(epoch FROM signed_at - sent_at) / 86400 AS sign_lag_days,
                state IN ('sent', 'signed', 'inProgress') AS open
            FROM courtsync_matters
        ), entrusting AS (
            SELECT entrusting_court AS court, count(*) AS sent, count(withdrawn_at) AS withdrawn
            FROM m GROUP BY entrusting_court
        ), entrusted AS (
            SELECT entrusted_court AS court,
                count(*) AS received,
                count(signed_at) AS signed,
                count(completed_at) AS completed,
                count(returned_at) AS returned,
                count(*) FILTER (WHERE completed_at < due_end) AS completed_on_time,
                count(*) FILTER (WHERE completed_at < extended_due_end) AS completed_on_time_extended,
                avg(completion_days) AS mean_days,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY completion_days) AS median_days,
                percentile_disc(0.9) WITHIN GROUP (ORDER BY completion_days) AS p90_days,
                avg(completion_days_from_sent) AS mean_days_from_sent,
                avg(sign_lag_days) AS mean_sign_lag_days,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY sign_lag_days) AS median_sign_lag_days,
                count(*) FILTER (WHERE open AND now() >= due_end) AS overdue_open,
                count(*) FILTER (WHERE open AND now() >= extended_due_end) AS overdue_open_extended
            FROM m GROUP BY entrusted_court
        ), figures AS (
            SELECT coalesce(a.court, b.court) AS court,
                coalesce(a.sent, 0) AS sent, coalesce(b.received, 0) AS received,
                coalesce(b.signed, 0) AS signed, coalesce(b.completed, 0) AS completed,
                coalesce(b.returned, 0) AS returned, coalesce(a.withdrawn, 0) AS withdrawn,
                coalesce(b.completed_on_time, 0) AS completed_on_time,
                coalesce(b.completed_on_time_extended, 0) AS completed_on_time_extended,
                b.mean_days, b.median_days, b.p90_days, b.mean_days_from_sent, b.mean_sign_lag_days,
                b.median_sign_lag_days,
                coalesce(b.overdue_open, 0) AS overdue_open, coalesce(b.overdue_open_extended, 0) AS overdue_open_extended
            FROM entrusting a FULL JOIN entrusted b ON a.court = b.court
        )
        SELECT f.court, c.name AS court_name, f.sent, f.received, f.signed, f.completed, f.returned, f.withdrawn,
            f.completed_on_time, f.completed_on_time_extended,
            f.completed::float8 / nullif(f.completed + f.returned, 0) AS completion_rate,
            f.returned::float8 / nullif(f.completed + f.returned, 0) AS return_rate,
            f.completed_on_time::float8 / nullif(f.completed, 0) AS on_time_rate,
            f.completed_on_time_extended::float8 / nullif(f.completed, 0) AS on_time_rate_extended,
            f.mean_days::float8 AS mean_days, f.median_days, f.p90_days, f.mean_days_from_sent::float8 AS mean_days_from_sent,
            f.mean_sign_lag_days::float8 AS mean_sign_lag_days, f.median_sign_lag_days,
            f.overdue_open, f.overdue_open_extended
        FROM figures f LEFT JOIN replica_courts c ON c.code = f.court
        """
}
