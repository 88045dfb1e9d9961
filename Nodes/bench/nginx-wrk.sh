#!/usr/bin/env bash
# The reference for `courtsync bench`'s idle-poll figure (docs/performance.md, d): nginx answering
# `return 200` on 127.0.0.1, loaded by wrk with kept-alive connections, on the same machine in the
# same run. Prints wrk's report; the bench reads its "Requests/sec:" line.
#
#   Nodes/bench/nginx-wrk.sh PORT SECONDS CONNECTIONS SCRATCH_DIR
#
# Needs Debian's nginx and wrk (`apt-get install nginx wrk`). nginx runs as this user, from
# SCRATCH_DIR, with as many workers as cores (the hub's event loops use every core too), and is
# stopped when wrk is done.
set -euo pipefail
port=${1:?port}
seconds=${2:?seconds}
connections=${3:?connections}
scratch=${4:?scratch directory}
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx ]] || { echo "nginx is not installed (apt-get install nginx)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }

mkdir -p "$scratch/logs"
cat >"$scratch/nginx.conf" <<CONF
worker_processes auto;
pid $scratch/nginx.pid;
error_log $scratch/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $scratch/body;
    proxy_temp_path $scratch/proxy;
    fastcgi_temp_path $scratch/fastcgi;
    uwsgi_temp_path $scratch/uwsgi;
    scgi_temp_path $scratch/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port;
        location / { return 200; }
    }
}
CONF
"$nginx" -p "$scratch" -c "$scratch/nginx.conf" -g 'daemon off;' &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.05
done
threads=$(nproc)
(( threads > connections )) && threads=$connections
wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency "http://127.0.0.1:$port/"
