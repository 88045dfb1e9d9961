#!/usr/bin/env bash
# The small network of Nodes/network/ on 127.0.0.1: the hub, two high courts and four basic
# courts, each a `courtsync serve` process with its own SQLite replica. A matter goes from
# 京0105 to 粤0106 and its result comes back with nobody pressing sync. Then 粤0106 goes offline,
# both courts act on a second matter without seeing each other, and when it returns every node
# settles the clash the same way: one conflict, acknowledged at one court, seen at the other.
# Usage: bash Nodes/network-demo.sh [WORK_DIR] [--stay]   (--stay keeps the network up until Ctrl-C)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
docs="$repo/Nodes/sample-documents"
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

court_of() { sed -n 's/^  "court": "\(.*\)",$/\1/p' "$repo/Nodes/network/$1.json"; }

step "初始化 7 个节点 / initialise the nodes in $work (each with its own key pair, node.key, and TLS certificate)"
cs init --data-dir "$work/hub" --role hub --json >/dev/null
cp "$repo/Nodes/network/hub.json" "$work/hub/node.json"
bash "$repo/Nodes/tls-certificates.sh" "$work/ca" "$work/hub" >/dev/null
hub_key=$(cs hub key --data-dir "$work/hub")
echo "最高法 → $work/hub   指挥中心公钥 $hub_key"
for name in "${names[@]:1}"; do
    cs init --data-dir "$work/$name" --court "$(court_of "$name")" --hub-key "$hub_key" --json >/dev/null
    cp "$repo/Nodes/network/$name.json" "$work/$name/node.json"
    bash "$repo/Nodes/tls-certificates.sh" "$work/ca" "$work/$name" >/dev/null
    echo "$(court_of "$name") → $work/$name"
done
echo "传输加密：各节点只提供 HTTPS，证书由演示 CA 签发 / every node serves HTTPS only (demo CA: $work/ca/ca.crt)"

declare -A pid_of
start_daemon() { # NAME
    "$repo/.build/debug/courtsync" serve --data-dir "$work/$1" >>"$work/$1/serve.log" 2>&1 &
    pids+=($!)
    pid_of[$1]=$!
    for _ in $(seq 100); do [ -f "$work/$1/daemon.json" ] && break; sleep 0.1; done
}

step "启动指挥中心，各法院节点注册，指挥中心审核批准 / register every court with the hub; hub staff approve"
start_daemon hub
for name in "${names[@]:1}"; do cs register --data-dir "$work/$name" >/dev/null; done
cs hub pending --data-dir "$work/hub"
for name in "${names[@]:1}"; do cs hub approve --data-dir "$work/hub" "$(court_of "$name")" >/dev/null; done
cs hub pending --all --data-dir "$work/hub"

step "启动法院守护进程 / start the courts' daemons (logs: $work/NAME/serve.log)"
for name in "${names[@]:1}"; do start_daemon "$name"; done
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
    --debtor 广州某贸易有限公司 --applicant 某银行 \
    --attach entrustment-letter="$docs/entrustment-letter.pdf" --attach judgment="$docs/judgment.pdf" \
    --attach ruling="$docs/ruling.pdf" --attach assistance-notice="$docs/assistance-notice.pdf" --json | sed -n 's/^  "id" : "\(.*\)",$/\1/p')
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

step "第二件事项送达后，粤0106 断网 / a second matter arrives, then 粤0106 goes offline"
id2=$(cs matter create --data-dir "$work/jing0105" --case '（2026）京0105执124号' --to 粤0106 --kind vehicle:seize \
    --debtor 李某 --documents-later --json | sed -n 's/^  "id" : "\(.*\)",$/\1/p')
wait_state "$work/yue0106" "$id2" sent
kill -TERM "${pid_of[yue0106]}"
wait "${pid_of[yue0106]}" 2>/dev/null || true
rm -f "$work/yue0106/daemon.json"

step "互不知情：京0105 撤回，粤0106 签收并扣押车辆 / each acts without seeing the other"
cs matter withdraw --data-dir "$work/jing0105" "$id2" --note '当事人已和解' >/dev/null
cs matter sign --data-dir "$work/yue0106" "$id2" >/dev/null
cs matter complete --data-dir "$work/yue0106" "$id2" --outcome full --feedback '已扣押车辆 粤A·12345' >/dev/null
echo "京0105: $(cs matter show --data-dir "$work/jing0105" "$id2" --json | sed -n 's/^    "stateName" : "\(.*\)",$/\1/p')"
echo "粤0106: $(cs matter show --data-dir "$work/yue0106" "$id2" --json | sed -n 's/^    "stateName" : "\(.*\)",$/\1/p')"

step "粤0106 恢复联网，各节点得出相同结论 / 粤0106 returns; every node settles it alike"
start_daemon yue0106
wait_state "$work/jing0105" "$id2" completed
wait_state "$work/hub" "$id2" completed
for _ in $(seq 200); do # until the withdrawal has reached 粤0106 too
    cs conflicts --data-dir "$work/yue0106" --json | grep -q '"status" : "open"' && break
    sleep 0.05
done
cs conflicts --data-dir "$work/jing0105"
printf '京0105 自身摘要     %s\n' "$(cs digest --data-dir "$work/jing0105" --json | sed -n 's/^  "digest" : "\(.*\)",$/\1/p')"
printf '指挥中心看 京0105   %s\n' "$(cs digest --data-dir "$work/hub" --for 京0105 --json | sed -n 's/^  "digest" : "\(.*\)",$/\1/p')"
printf '粤0106 自身摘要     %s\n' "$(cs digest --data-dir "$work/yue0106" --json | sed -n 's/^  "digest" : "\(.*\)",$/\1/p')"
printf '指挥中心看 粤0106   %s\n' "$(cs digest --data-dir "$work/hub" --for 粤0106 --json | sed -n 's/^  "digest" : "\(.*\)",$/\1/p')"

step "京0105 确认冲突，粤0106 随即可见 / 京0105 acknowledges; 粤0106 sees it"
conflict=$(cs conflicts --data-dir "$work/jing0105" --json | sed -n 's/^      "id" : "\(.*\)",$/\1/p' | head -1)
cs conflicts ack "$conflict" --data-dir "$work/jing0105" --note '已与受托法院核实，车辆已扣押，另行申请解除' >/dev/null
for _ in $(seq 200); do
    cs conflicts --data-dir "$work/yue0106" --json | grep -q '"status" : "open"' || break
    sleep 0.05
done
cs conflicts --data-dir "$work/yue0106" --all

step "指挥中心统计 / the hub's indicators, overdue list and sync latency"
cs report --data-dir "$work/hub"
cs report overdue --data-dir "$work/hub"
cs report latency --data-dir "$work/hub"
hub_url=$(sed -n 's/.*"url" *: *"\([^"]*\)".*/\1/p' "$work/hub/daemon.json" | sed 's#\\/#/#g')
echo "监控看板 / dashboard: $hub_url/dashboard   (demo CA: $work/ca/ca.crt; e.g. curl --cacert $work/ca/ca.crt $hub_url/api/v1/dashboard)"

if [ "$stay" = 1 ]; then
    step "网络运行中，按 Ctrl-C 停止 / the network keeps running until Ctrl-C"
    wait
fi
