#!/usr/bin/env bash
# CourtSync's tests, on a fresh Debian machine, in one command: `bash Nodes/test.sh`.
#
# 1. Installs the Debian packages the build and the tests need, when missing (with sudo unless
#    run as root).
# 2. Starts a throwaway PostgreSQL cluster on 127.0.0.1 (a free port, a temporary folder, run as
#    the `postgres` user when this script runs as root) with a role and a database for the tests,
#    and passes its URL to them in COURTSYNC_TEST_POSTGRES (the password in a PGPASSFILE), and in
#    COURTSYNC_TEST_POSTGRES_RESTART a script that restarts it (a fault test). With
#    COURTSYNC_TEST_POSTGRES already set, that server is used instead and none is started.
# 3. Checks the formatting, builds, and runs `swift test` (arguments go to `swift test`, e.g.
#    `bash Nodes/test.sh --filter HubFailoverTests`). The cluster is stopped and removed on exit.
#    Random tests take their seed from COURTSYNC_TEST_SEED: a fixed one unless the caller set it,
#    so that this command (and CI) runs the same cases every time.
set -euo pipefail
cd "$(dirname "$0")/.."

# zlib and SQLite headers and pkg-config for the build; the sqlite3 shell (a test reads a replica
# as an operator would); openssl (the tests' TLS certificates, Nodes/tls-certificates.sh);
# prometheus for promtool (/metrics); chromium and a Chinese font (the dashboard's screenshots);
# PostgreSQL (the hub's store); systemd for `systemd-analyze verify` (a test checks a unit file).
packages=(libsqlite3-dev zlib1g-dev libssl-dev pkg-config sqlite3 openssl prometheus chromium fonts-wqy-microhei postgresql
    systemd)
needed=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || needed+=("$package")
done
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
if [ ${#needed[@]} -gt 0 ]; then
    echo "Installing: ${needed[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${needed[@]}"
fi

if [ -z "${COURTSYNC_TEST_POSTGRES:-}" ]; then
    bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    cluster="$(mktemp -d /tmp/courtsync-pg.XXXXXX)"
    # A free port below the ephemeral range, so that no outgoing connection holds it.
    port="$(python3 -c 'import socket
for p in range(25432, 26432):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: s.close()')"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$cluster"
        as_owner() { runuser -u postgres -- "$@"; }
    else
        as_owner() { "$@"; }
    fi
    stop_cluster() {
        as_owner "$bin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$cluster"
    }
    trap stop_cluster EXIT
    password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
    (umask 077 && echo "$password" >"$cluster/password")
    [ "$(id -u)" -ne 0 ] || chown postgres: "$cluster/password"
    as_owner "$bin/initdb" -D "$cluster/data" -U postgres -A scram-sha-256 --pwfile="$cluster/password" \
        -E UTF8 --locale=C.UTF-8 >"$cluster/initdb.log" 2>&1 || { cat "$cluster/initdb.log"; exit 1; }
    rm -f "$cluster/password"
    as_owner "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c max_connections=200 -c fsync=off" start >/dev/null
    export PGPASSFILE="$cluster/pgpass"
    # The tests connect as the cluster's superuser: they create and drop one database per test.
    printf '127.0.0.1:%s:*:postgres:%s\n' "$port" "$password" >"$PGPASSFILE"
    chmod 600 "$PGPASSFILE"
    export COURTSYNC_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres"
    # A fault test restarts PostgreSQL under the hub processes (same port, same options).
    if [ "$(id -u)" -eq 0 ]; then owner="runuser -u postgres --"; else owner=""; fi
    # The script closes every descriptor it inherited before the server starts: a test process
    # has other children's pipes open, and a server holding one would keep that child's reader
    # waiting for an end of file forever.
    cat >"$cluster/restart.sh" <<RESTART
#!/usr/bin/env bash
set -e
for fd in /proc/\$\$/fd/*; do fd=\${fd##*/}; if [ "\$fd" -gt 2 ]; then eval "exec \$fd>&-" 2>/dev/null || true; fi; done
$owner "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -m fast -w restart </dev/null >/dev/null 2>&1
RESTART
    export COURTSYNC_TEST_POSTGRES_RESTART="$cluster/restart.sh"
    echo "PostgreSQL for the tests: $COURTSYNC_TEST_POSTGRES (cluster in $cluster)"
fi

# The seed of every random test (Tests/TestSupport/TestSeed.swift): fixed here unless given, so
# that a run is repeatable; `COURTSYNC_TEST_SEED=N bash Nodes/test.sh` replays another.
export COURTSYNC_TEST_SEED="${COURTSYNC_TEST_SEED:-20261203}"
echo "Random tests' seed: COURTSYNC_TEST_SEED=$COURTSYNC_TEST_SEED"

swift --version
swift format lint --strict --recursive Sources Tests
swift build --build-tests
swift test "$@"
