#!/usr/bin/env bash
# The small network of Nodes/network/ on 127.0.0.1: the hub, two high courts and four basic
# courts, each a `courtsync serve` process with its own SQLite replica. A matter goes from
# 京0105 to 粤0106 and its result comes back with nobody pressing sync.
# Usage: bash Nodes/network-demo.sh [WORK_DIR] [--stay]   (--stay keeps the network up until Ctrl-C)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work=""
stay=0
for arg in "$@"; do
    if [ "$arg" = "--stay" ]; then stay=1; else work="$arg"; fi
done
work="${work:-$(mktemp -d -t courtsync-network.XXXXXX)}"
mkdir -p "$work"
names=(hub jing yue jing0105 jing0101 yue0106 yue0104)

echo "== 构建 (swift build)"
swift build --package-path "$repo" >/dev/null
cs() { "$repo/.build/debug/courtsync" "$@"; }
step() { printf '\n== %s\n' "$1"; }
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

step "初始化 7 个节点 / initialise the nodes in $work"
for name in "${names[@]}"; do
    court=$(sed -n 's/^  "court": "\(.*\)",$/\1/p' "$repo/Nodes/network/$name.json")
    if [ "$name" = hub ]; then role=(--role hub); else role=(--court "$court"); fi
    cs init --data-dir "$work/$name" "${role[@]}" --json >/dev/null
    cp "$repo/Nodes/network/$name.json" "$work/$name/node.json"
    echo "$court → $work/$name"
done

step "启动守护进程 / start the daemons (logs: $work/NAME/serve.log)"
for name in "${names[@]}"; do
    "$repo/.build/debug/courtsync" serve --data-dir "$work/$name" >"$work/$name/serve.log" 2>&1 &
    pids+=($!)
done
for name in "${names[@]}"; do
    for _ in $(seq 100); do [ -f "$work/$name/daemon.json" ] && break; sleep 0.1; done
done
cs status --data-dir "$work/hub"

wait_state() { # DATA_DIR ID STATE
    for _ in $(seq 200); do
        if cs matter show --data-dir "$1" "$2" --json 2>/dev/null | grep -q "\"state\" : \"$3\""; then return 0; fi
        sleep 0.05
    done
    echo "timed out waiting for $2 to be $3 at $1" >&2
    return 1
}

step "京0105 委托 粤0106 冻结银行存款 / 京0105 sends a matter"
id=$(cs matter create --data-dir "$work/jing0105" --case '（2026）京0105执123号' --to 粤0106 --kind deposit:freeze \
    --debtor 广州某贸易有限公司 --applicant 某银行 --json | sed -n 's/^  "id" : "\(.*\)",$/\1/p')
echo "$id"

step "无需手动同步，粤0106 已收到 / it reaches 粤0106 by itself"
wait_state "$work/yue0106" "$id" sent
cs matter list --data-dir "$work/yue0106"

step "粤0106 签收并办结反馈 / 粤0106 signs and completes"
cs matter sign --data-dir "$work/yue0106" "$id" >/dev/null
cs matter complete --data-dir "$work/yue0106" "$id" --outcome full --feedback '已冻结账户 1 个，金额 10 万元' >/dev/null
wait_state "$work/jing0105" "$id" completed
wait_state "$work/hub" "$id" completed
wait_state "$work/jing" "$id" completed
wait_state "$work/yue" "$id" completed
cs matter show --data-dir "$work/jing0105" "$id"

step "各节点持有的事项数 / matters held (京0101 and 粤0104 are not parties: 0)"
for name in "${names[@]}"; do
    printf '%-9s %s\n' "$name" "$(sqlite3 "$work/$name/replica.sqlite" 'SELECT count(*) FROM matters')"
done

step "京0105 的同步链路 / 京0105's links"
cs peers --data-dir "$work/jing0105"

if [ "$stay" = 1 ]; then
    step "网络运行中，按 Ctrl-C 停止 / the network keeps running until Ctrl-C"
    wait
fi
