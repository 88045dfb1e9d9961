import GRDB

/// The replica's schema, as versioned migrations. Documented in `docs/replica-schema.md`;
/// readable with the `sqlite3` shell.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        /// Each migration runs in its own transaction; a crash point marks its end, before commit.
        func register(_ identifier: String, _ migrate: @escaping @Sendable (Database) throws -> Void) {
            migrator.registerMigration(identifier) { db in
                try migrate(db)
                CrashPoint.migrationApplied.reached()
            }
        }
        register("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE node (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        court_code TEXT NOT NULL,
                        node_id TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        hlc_wall INTEGER NOT NULL,
                        hlc_counter INTEGER NOT NULL,
                        deadline_policy TEXT NOT NULL
                    );
                    CREATE TABLE courts (
                        code TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        level TEXT NOT NULL,
                        province TEXT NOT NULL,
                        parent_code TEXT REFERENCES courts(code)
                    );
                    CREATE TABLE calendar_years (
                        year INTEGER PRIMARY KEY,
                        status TEXT NOT NULL
                    );
                    CREATE TABLE calendar_days (
                        date TEXT PRIMARY KEY,
                        is_workday INTEGER NOT NULL,
                        name TEXT NOT NULL
                    );
                    CREATE TABLE events (
                        arrival_seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        matter_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        author TEXT NOT NULL,
                        origin TEXT NOT NULL,
                        hlc_wall INTEGER NOT NULL,
                        hlc_counter INTEGER NOT NULL,
                        recorded_at TEXT NOT NULL,
                        parents TEXT NOT NULL,
                        stored_at TEXT NOT NULL,
                        encoded BLOB NOT NULL
                    );
                    CREATE INDEX events_by_matter ON events(matter_id, arrival_seq);
                    CREATE TABLE matters (
                        id TEXT PRIMARY KEY,
                        case_number TEXT NOT NULL,
                        entrusting_court TEXT NOT NULL,
                        entrusted_court TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        state TEXT NOT NULL,
                        urgent INTEGER NOT NULL,
                        applicant TEXT,
                        debtor TEXT,
                        debtor_id TEXT,
                        measure_expires TEXT,
                        note TEXT,
                        sent_at TEXT NOT NULL,
                        signed_at TEXT,
                        started_at TEXT,
                        completed_at TEXT,
                        returned_at TEXT,
                        withdrawn_at TEXT,
                        closed_at TEXT,
                        sign_due_date TEXT NOT NULL,
                        due_date TEXT NOT NULL,
                        due_at_ms INTEGER NOT NULL,
                        on_time INTEGER,
                        outcome TEXT,
                        feedback TEXT,
                        return_reason TEXT,
                        urge_count INTEGER NOT NULL,
                        supervised INTEGER NOT NULL,
                        heads TEXT NOT NULL,
                        event_count INTEGER NOT NULL,
                        superseded TEXT NOT NULL,
                        last_activity_at TEXT NOT NULL,
                        first_stored_at TEXT NOT NULL
                    );
                    CREATE INDEX matters_by_entrusted ON matters(entrusted_court, state);
                    CREATE INDEX matters_by_entrusting ON matters(entrusting_court, state);
                    CREATE INDEX matters_by_due ON matters(state, due_at_ms);
                    CREATE INDEX matters_by_completion ON matters(completed_at);
                    """)
        }
        register("v2-sync") { db in
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN received_from TEXT;
                    CREATE TABLE links (
                        court TEXT PRIMARY KEY,
                        url TEXT NOT NULL,
                        remote_node TEXT,
                        pulled_through INTEGER NOT NULL DEFAULT 0,
                        pushed_through INTEGER NOT NULL DEFAULT 0,
                        remote_head INTEGER NOT NULL DEFAULT 0,
                        last_attempt_at TEXT,
                        last_success_at TEXT,
                        last_error_at TEXT,
                        last_error TEXT,
                        failures INTEGER NOT NULL DEFAULT 0,
                        events_in INTEGER NOT NULL DEFAULT 0,
                        events_out INTEGER NOT NULL DEFAULT 0,
                        bytes_in INTEGER NOT NULL DEFAULT 0,
                        bytes_out INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE quarantine (
                        event_id TEXT PRIMARY KEY,
                        matter_id TEXT NOT NULL,
                        source TEXT NOT NULL,
                        code TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        hlc_wall INTEGER NOT NULL,
                        hlc_counter INTEGER NOT NULL,
                        first_seen_at TEXT NOT NULL,
                        last_tried_at TEXT NOT NULL,
                        attempts INTEGER NOT NULL,
                        encoded BLOB NOT NULL
                    );
                    """)
        }
        register("v3-conflicts") { db in
            // Matters are refolded under the precedence rules when the replica opens (their
            // digest is empty until then; the partial index keeps that check free afterwards).
            try db.execute(
                sql: """
                    ALTER TABLE matters ADD COLUMN contact_person TEXT;
                    ALTER TABLE matters ADD COLUMN contact_phone TEXT;
                    ALTER TABLE matters ADD COLUMN current_note TEXT;
                    ALTER TABLE matters ADD COLUMN open_conflicts INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE matters ADD COLUMN digest TEXT NOT NULL DEFAULT '';
                    CREATE TABLE conflicts (
                        id TEXT PRIMARY KEY,
                        matter_id TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        status TEXT NOT NULL,
                        winner_event TEXT NOT NULL,
                        winner_kind TEXT NOT NULL,
                        winner_author TEXT NOT NULL,
                        winner_origin TEXT NOT NULL,
                        winner_at TEXT NOT NULL,
                        winner_detail TEXT NOT NULL,
                        superseded_kind TEXT NOT NULL,
                        superseded_author TEXT NOT NULL,
                        superseded_origin TEXT NOT NULL,
                        superseded_at TEXT NOT NULL,
                        superseded_detail TEXT NOT NULL,
                        ack_event TEXT,
                        ack_court TEXT,
                        ack_at TEXT,
                        ack_note TEXT
                    );
                    CREATE INDEX matters_stale ON matters(id) WHERE digest = '';
                    CREATE INDEX conflicts_by_matter ON conflicts(matter_id);
                    CREATE INDEX conflicts_by_status ON conflicts(status, superseded_at);
                    """)
        }
        register("v4-trust") { db in
            // Events are signed from this version on; an older replica holding events cannot be
            // upgraded (its events carry no signature). Such replicas exist only from development builds.
            let held = try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0
            guard held == 0 else {
                throw ReplicaError(
                    .corrupt,
                    "this replica holds \(held) unsigned events from a build before signed events (schema v3): initialise a new node and register it"
                )
            }
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN signature BLOB NOT NULL DEFAULT x'';
                    ALTER TABLE quarantine ADD COLUMN signature BLOB NOT NULL DEFAULT x'';
                    ALTER TABLE node ADD COLUMN public_key TEXT NOT NULL DEFAULT '';
                    ALTER TABLE node ADD COLUMN hub_key TEXT;
                    ALTER TABLE node ADD COLUMN trust_hub_on_first_use INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE trust_directory (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        version INTEGER NOT NULL,
                        issued_at TEXT NOT NULL,
                        installed_at TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        signature BLOB NOT NULL
                    );
                    CREATE TABLE node_keys (
                        node_id TEXT PRIMARY KEY,
                        court TEXT NOT NULL,
                        public_key TEXT NOT NULL,
                        status TEXT NOT NULL,
                        requested_at TEXT NOT NULL,
                        decided_at TEXT,
                        revoked_at TEXT
                    );
                    CREATE TABLE registrations (
                        node_id TEXT PRIMARY KEY,
                        court TEXT NOT NULL,
                        public_key TEXT NOT NULL,
                        status TEXT NOT NULL,
                        requested_at TEXT NOT NULL,
                        received_at TEXT NOT NULL,
                        decided_at TEXT,
                        revoked_at TEXT
                    );
                    CREATE TABLE refusals (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_id TEXT NOT NULL,
                        matter_id TEXT NOT NULL,
                        origin TEXT NOT NULL,
                        author TEXT NOT NULL,
                        source TEXT NOT NULL,
                        code TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        refused_at TEXT NOT NULL
                    );
                    CREATE INDEX registrations_by_court ON registrations(court, status);
                    """)
        }
        register("v5-monitoring") { db in
            // received_at is carried by sign and return events from this version on; matters
            // folded before stay NULL until one of their events arrives.
            try db.execute(
                sql: """
                    ALTER TABLE matters ADD COLUMN received_at TEXT;
                    CREATE INDEX matters_by_sent ON matters(sent_at);
                    CREATE INDEX events_by_stored ON events(stored_at);
                    CREATE INDEX events_by_origin ON events(origin, stored_at);
                    CREATE TABLE node_contacts (
                        node_id TEXT PRIMARY KEY,
                        court TEXT NOT NULL,
                        first_contact_at TEXT NOT NULL,
                        last_contact_at TEXT NOT NULL,
                        last_request TEXT NOT NULL,
                        pulled_after INTEGER,
                        pushed_through INTEGER,
                        requests INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }
        register("v6-honest-time") { db in
            // Matters are refolded when the replica opens (digest emptied): the counted times,
            // the deadlines that count and the late reports are filled in then.
            try db.execute(
                sql: """
                    ALTER TABLE node ADD COLUMN head_seq INTEGER NOT NULL DEFAULT 0;
                    UPDATE node SET head_seq = (SELECT coalesce(max(arrival_seq), 0) FROM events);
                    CREATE TABLE witnesses (
                        arrival_seq INTEGER PRIMARY KEY,
                        event_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        matter_id TEXT NOT NULL,
                        court TEXT,
                        at TEXT NOT NULL,
                        hub_downtime_ms INTEGER NOT NULL,
                        grace_ms INTEGER NOT NULL,
                        encoded BLOB NOT NULL,
                        signature BLOB NOT NULL,
                        stored_at TEXT NOT NULL,
                        received_from TEXT,
                        UNIQUE (event_id, kind)
                    );
                    CREATE INDEX witnesses_by_matter ON witnesses(matter_id);
                    CREATE TABLE reference_calendar (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        version INTEGER NOT NULL,
                        document TEXT NOT NULL
                    );
                    CREATE TABLE late_reports (
                        event_id TEXT PRIMARY KEY,
                        matter_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        author TEXT NOT NULL,
                        recorded_at TEXT NOT NULL,
                        witnessed_at TEXT NOT NULL,
                        delay_ms INTEGER NOT NULL,
                        hub_downtime_ms INTEGER NOT NULL,
                        grace_ms INTEGER NOT NULL,
                        accepted_by TEXT,
                        accepted_at TEXT,
                        accepted_note TEXT
                    );
                    CREATE INDEX late_reports_by_matter ON late_reports(matter_id);
                    CREATE INDEX late_reports_by_witnessed ON late_reports(witnessed_at);
                    ALTER TABLE matters ADD COLUMN calendar_version INTEGER;
                    ALTER TABLE matters ADD COLUMN counted_sent_at TEXT;
                    ALTER TABLE matters ADD COLUMN counted_received_at TEXT;
                    ALTER TABLE matters ADD COLUMN counted_signed_at TEXT;
                    ALTER TABLE matters ADD COLUMN counted_completed_at TEXT;
                    ALTER TABLE matters ADD COLUMN counted_returned_at TEXT;
                    ALTER TABLE matters ADD COLUMN counted_withdrawn_at TEXT;
                    ALTER TABLE matters ADD COLUMN counted_sign_due TEXT;
                    ALTER TABLE matters ADD COLUMN counted_due TEXT;
                    ALTER TABLE matters ADD COLUMN counted_due_at_ms INTEGER;
                    ALTER TABLE matters ADD COLUMN due_provisional INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE matters ADD COLUMN sign_due_provisional INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE matters ADD COLUMN late_reports INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX matters_by_counted_due ON matters(state, counted_due_at_ms);
                    CREATE INDEX matters_by_counted_sent ON matters(counted_sent_at);
                    CREATE INDEX matters_by_counted_completion ON matters(counted_completed_at);
                    CREATE INDEX matters_provisional ON matters(id) WHERE due_provisional = 1;
                    UPDATE matters SET digest = '';
                    ALTER TABLE quarantine ADD COLUMN source_node TEXT;
                    ALTER TABLE quarantine ADD COLUMN waiting_for TEXT NOT NULL DEFAULT 'retry';
                    CREATE INDEX quarantine_waiting ON quarantine(waiting_for);
                    CREATE INDEX quarantine_by_source ON quarantine(source_node);
                    CREATE TABLE staff_tokens (
                        name TEXT PRIMARY KEY,
                        scope TEXT NOT NULL,
                        token_hash TEXT NOT NULL UNIQUE,
                        created_at TEXT NOT NULL,
                        revoked_at TEXT
                    );
                    CREATE TABLE hub_uptime (
                        started_at_ms INTEGER PRIMARY KEY,
                        alive_at_ms INTEGER NOT NULL
                    );
                    """)
        }
        register("v7-documents") { db in
            // No matter held before this version has documents or a request for supplement: the
            // new columns' defaults are their fold.
            try db.execute(
                sql: """
                    ALTER TABLE matters ADD COLUMN supplement_event TEXT;
                    ALTER TABLE matters ADD COLUMN supplement_court TEXT;
                    ALTER TABLE matters ADD COLUMN supplement_requested_at TEXT;
                    ALTER TABLE matters ADD COLUMN supplement_kinds TEXT;
                    ALTER TABLE matters ADD COLUMN supplement_note TEXT;
                    ALTER TABLE matters ADD COLUMN supplement_due TEXT;
                    ALTER TABLE matters ADD COLUMN supplement_lapses_at_ms INTEGER;
                    ALTER TABLE matters ADD COLUMN supplement_answered_at TEXT;
                    ALTER TABLE matters ADD COLUMN deemed_withdrawn INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE matters ADD COLUMN missing_documents TEXT NOT NULL DEFAULT '';
                    CREATE INDEX matters_supplement_lapse ON matters(supplement_lapses_at_ms)
                        WHERE supplement_lapses_at_ms IS NOT NULL AND supplement_answered_at IS NULL;
                    CREATE TABLE attachments (
                        event_id TEXT PRIMARY KEY,
                        matter_id TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        hash TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        file_name TEXT NOT NULL,
                        media_type TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        court TEXT NOT NULL,
                        attached_at TEXT NOT NULL,
                        note TEXT NOT NULL
                    );
                    CREATE INDEX attachments_by_matter ON attachments(matter_id, position);
                    CREATE INDEX attachments_by_hash ON attachments(hash);
                    CREATE TABLE documents (
                        hash TEXT PRIMARY KEY,
                        size INTEGER NOT NULL,
                        media_type TEXT NOT NULL,
                        stored_at TEXT NOT NULL
                    );
                    CREATE TABLE document_reads (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        hash TEXT NOT NULL,
                        matter_id TEXT,
                        reader_court TEXT NOT NULL,
                        reader_node TEXT NOT NULL,
                        how TEXT NOT NULL,
                        bytes INTEGER NOT NULL,
                        first_at TEXT NOT NULL,
                        last_at TEXT NOT NULL
                    );
                    CREATE INDEX document_reads_by_hash ON document_reads(hash, seq);
                    CREATE INDEX document_reads_by_matter ON document_reads(matter_id, seq);
                    CREATE TABLE document_holders (
                        hash TEXT NOT NULL,
                        court TEXT NOT NULL,
                        since TEXT NOT NULL,
                        PRIMARY KEY (hash, court)
                    );
                    CREATE TABLE document_deliveries (
                        remote TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        delivered_at TEXT NOT NULL,
                        PRIMARY KEY (remote, hash)
                    );
                    CREATE TABLE document_transfers (
                        remote TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        direction TEXT NOT NULL,
                        done INTEGER NOT NULL,
                        total INTEGER NOT NULL,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (remote, hash, direction)
                    );
                    """)
        }
        register("v8-extensions") { db in
            // No matter held before this version has a request for more time: the new columns'
            // defaults are their fold.
            try db.execute(
                sql: """
                    ALTER TABLE matters ADD COLUMN counted_extended_due TEXT;
                    ALTER TABLE matters ADD COLUMN counted_extended_due_at_ms INTEGER;
                    ALTER TABLE matters ADD COLUMN extension_pending INTEGER NOT NULL DEFAULT 0;
                    CREATE INDEX matters_extension_pending ON matters(id) WHERE extension_pending = 1;
                    CREATE TABLE extensions (
                        event_id TEXT PRIMARY KEY,
                        matter_id TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        court TEXT NOT NULL,
                        requested_at TEXT NOT NULL,
                        days INTEGER NOT NULL,
                        reason TEXT NOT NULL,
                        status TEXT NOT NULL,
                        decision_event TEXT,
                        decision_court TEXT,
                        decided_at TEXT,
                        verdict TEXT,
                        decision_note TEXT
                    );
                    CREATE INDEX extensions_by_matter ON extensions(matter_id, position);
                    """)
        }
        register("v9-attestations") { db in
            // Events stored on the strength of a hub's batch attestation, whose origin signatures
            // are checked again later (`Protocol/sync.md` §4.3.1): none before this version.
            try db.execute(
                sql: """
                    CREATE TABLE attestations (
                        seq INTEGER PRIMARY KEY,
                        hub TEXT NOT NULL,
                        after_seq INTEGER NOT NULL,
                        through_seq INTEGER NOT NULL,
                        leaves INTEGER NOT NULL,
                        encoded BLOB NOT NULL,
                        signature BLOB NOT NULL,
                        received_at TEXT NOT NULL
                    );
                    CREATE TABLE origin_checks (
                        event_id TEXT PRIMARY KEY,
                        attestation INTEGER NOT NULL REFERENCES attestations(seq),
                        failed_at TEXT,
                        reason TEXT
                    );
                    CREATE INDEX origin_checks_failed ON origin_checks(failed_at) WHERE failed_at IS NOT NULL;
                    """)
        }
        register("v10-shared-store") { db in
            // A hub process's binding to the shared store its writes go through (PostgreSQL,
            // `docs/postgres.md`) and the store version this file holds; no row when the
            // replica stands alone. Never copied into the store.
            try db.execute(
                sql: """
                    CREATE TABLE shared_store (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        location TEXT NOT NULL,
                        password_file TEXT,
                        version INTEGER NOT NULL
                    );
                    """)
        }
        register("v11-suite") { db in
            // The network's signature suite (`ed25519` or `sm2`), chosen when the node was made.
            try db.execute(sql: "ALTER TABLE node ADD COLUMN suite TEXT NOT NULL DEFAULT 'ed25519'")
        }
        register("v12-restores") { db in
            // The id of this replica's latest restore from a backup (announced in hello: a client
            // whose remote was restored sends again what the remote acknowledged, since the
            // restore may have lost it); per link, the id the remote last announced and whether
            // this node, restored, still asks for its own events back; per calling node, the
            // protocol version and software its hello named.
            try db.execute(
                sql: """
                    ALTER TABLE node ADD COLUMN restore_id TEXT;
                    ALTER TABLE links ADD COLUMN remote_restore TEXT;
                    ALTER TABLE links ADD COLUMN recovering INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE node_contacts ADD COLUMN protocol_version INTEGER;
                    ALTER TABLE node_contacts ADD COLUMN software TEXT;
                    """)
        }
        return migrator
    }
}
