#!/usr/bin/env bash
# A matter's whole life between two local courts, carried by change files (离线介质):
# 北京市朝阳区人民法院 (京0105) entrusts a deposit freeze to 广州市天河区人民法院 (粤0106).
# Usage: bash Nodes/two-court-demo.sh [WORK_DIR]   (default: a new temporary folder)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
docs="$repo/Nodes/sample-documents"
work="${1:-$(mktemp -d -t courtsync-demo.XXXXXX)}"
mkdir -p "$work"

echo "== 构建 (swift build)"
swift build --package-path "$repo" >/dev/null
cs() { "$repo/.build/debug/courtsync" "$@"; }
step() { printf '\n== %s\n' "$1"; }

step "初始化指挥中心与两个法院节点 / initialise the hub and two court nodes in $work"
cs init --data-dir "$work/hub" --role hub >/dev/null
hub_key=$(cs hub key --data-dir "$work/hub")
cs init --data-dir "$work/bj" --court 京0105 --hub-key "$hub_key"
cs init --data-dir "$work/gz" --court 粤0106 --hub-key "$hub_key" >/dev/null

step "离线注册：申请文件交指挥中心审核批准，签名法院名录带回 / register by file; the hub approves"
for dir in bj gz; do
    cs register --data-dir "$work/$dir" --file "$work/register-$dir.json" >/dev/null
    cs hub pending --data-dir "$work/hub" --import "$work/register-$dir.json" >/dev/null
done
cs hub approve --data-dir "$work/hub" 京0105 >/dev/null
cs hub approve --data-dir "$work/hub" 粤0106
cs hub directory --data-dir "$work/hub" --out "$work/directory.json"
cs directory --data-dir "$work/bj" --import "$work/directory.json"
cs directory --data-dir "$work/gz" --import "$work/directory.json" >/dev/null

step "京0105 委托 粤0106 冻结银行存款 / create the matter"
id=$(cs matter create --data-dir "$work/bj" --case '（2026）京0105执123号' --to 粤0106 --kind deposit:freeze \
    --debtor 广州某贸易有限公司 --applicant 某银行 \
    --attach entrustment-letter="$docs/entrustment-letter.pdf" --attach judgment="$docs/judgment.pdf" \
    --attach ruling="$docs/ruling.pdf" --attach assistance-notice="$docs/assistance-notice.pdf" --json | sed -n 's/^  "id" : "\(.*\)",$/\1/p')
cs matter show --data-dir "$work/bj" "$id"

step "导出变更文件并在 粤0106 导入 / carry it to 粤0106"
cs export --data-dir "$work/bj" --out "$work/to-gz.csync" --for 粤0106
cs import --data-dir "$work/gz" "$work/to-gz.csync"

step "粤0106 签收、办结反馈 / sign and complete"
cs matter sign --data-dir "$work/gz" "$id" >/dev/null
cs matter complete --data-dir "$work/gz" "$id" --outcome full --feedback '已冻结账户 1 个，金额 10 万元' >/dev/null
cs matter list --data-dir "$work/gz"

step "带回 京0105 / carry the result back"
cs export --data-dir "$work/gz" --out "$work/to-bj.csync" --for 京0105
cs import --data-dir "$work/bj" "$work/to-bj.csync"
cs matter show --data-dir "$work/bj" "$id"

step "京0105 越权办结被拒绝 / 京0105 may not complete its own outgoing matter"
if cs matter complete --data-dir "$work/bj" "$id" --outcome full; then
    echo "unexpected: the act was accepted" >&2
    exit 1
fi

step "归档 / close"
cs matter close --data-dir "$work/bj" "$id" >/dev/null
if command -v sqlite3 >/dev/null; then
    sqlite3 -header -column "$work/bj/replica.sqlite" \
        'SELECT id, state, sent_at, completed_at, due_date, on_time FROM matters'
fi
printf '\nDone. The two replicas are in %s\n' "$work"
