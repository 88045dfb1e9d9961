import SyncEngine

/// The hub dashboard (`/dashboard`): one self-contained page in Chinese — inline CSS, inline SVG
/// charts and a small script that reads `/api/v1/dashboard` and refreshes itself. Nothing is
/// loaded from elsewhere (courts' networks are closed). Figures are rounded as
/// ``Monitoring/Figures`` rounds them, so the page shows the digits `courtsync report` prints.
///
/// The page holds no data: it asks for a staff token (`courtsync token create`), keeps it for the
/// browser session (`sessionStorage`) and sends it with every request; `#token=…` in the address
/// logs in once (the fragment never reaches the server, and the page removes it).
enum DashboardPage {
    static let html = #"""
        <!DOCTYPE html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>执行事项委托监控 · CourtSync</title>
        <style>
        :root { --ink:#1d2733; --muted:#5b6776; --line:#d8dee6; --bg:#f3f5f8; --card:#fff; --accent:#9b1c1c;
          --good:#1f7a3f; --warn:#b45309; --bad:#b91c1c; --blue:#1e5aa8; }
        * { box-sizing:border-box; }
        body { margin:0; background:var(--bg); color:var(--ink);
          font:14px/1.5 "Microsoft YaHei","PingFang SC","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif; }
        header { background:var(--accent); color:#fff; padding:10px 20px; display:flex; align-items:baseline; gap:16px; }
        header h1 { font-size:18px; margin:0; font-weight:600; letter-spacing:1px; }
        header .meta { margin-left:auto; font-size:13px; opacity:.92; }
        main { padding:14px 20px 24px; max-width:1400px; margin:0 auto; }
        .kpis { display:grid; grid-template-columns:repeat(7,1fr); gap:10px; margin-bottom:14px; }
        .kpi { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
        .kpi .label { color:var(--muted); font-size:12px; }
        .kpi .value { font-size:24px; font-weight:600; font-variant-numeric:tabular-nums; margin-top:2px; }
        .kpi .note { color:var(--muted); font-size:11px; }
        .yoy { color:var(--muted); font-size:13px; margin:-4px 0 14px; }
        .yoy b { color:inherit; font-variant-numeric:tabular-nums; }
        .badge.ext { background:#e8f0fe; color:#1a4fa0; }
        .grid { display:grid; grid-template-columns:1fr 1fr; gap:14px; margin-bottom:14px; }
        section { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:12px 14px; min-width:0; }
        section h2 { font-size:15px; margin:0 0 8px; display:flex; align-items:baseline; gap:10px; }
        section h2 small { color:var(--muted); font-weight:normal; font-size:12px; }
        table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
        th, td { padding:5px 8px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
        th { background:#eef1f5; font-weight:600; font-size:12.5px; position:sticky; top:0; }
        th.sortable { cursor:pointer; user-select:none; }
        th.sortable:hover { background:#e2e7ee; }
        th .arrow { color:var(--muted); font-size:10px; margin-left:2px; }
        td.text, th.text { text-align:left; }
        tr:hover td { background:#f8fafc; }
        .scroll { max-height:330px; overflow:auto; }
        section.wide { margin-bottom:14px; }
        .grid table { font-size:13px; }
        .grid th, .grid td { padding:4px 6px; }
        .rate-bad { color:var(--bad); font-weight:600; }
        .rate-warn { color:var(--warn); }
        .rate-good { color:var(--good); }
        .badge { display:inline-block; padding:0 6px; border-radius:3px; font-size:12px; }
        .badge.stale { background:#fde2e2; color:var(--bad); }
        .badge.ok { background:#dcf2e3; color:var(--good); }
        .badge.sup { background:#fff1d6; color:var(--warn); }
        a.matter { color:var(--blue); cursor:pointer; text-decoration:underline; }
        svg text { font-size:11px; fill:var(--muted); }
        .legend { font-size:12px; color:var(--muted); }
        .legend span { display:inline-block; width:10px; height:10px; margin:0 4px 0 10px; vertical-align:-1px; }
        #drill { position:fixed; top:0; right:0; bottom:0; width:460px; background:#fff; border-left:1px solid var(--line);
          box-shadow:-4px 0 16px rgba(0,0,0,.08); padding:16px; overflow:auto; display:none; }
        #drill.open { display:block; }
        #drill h3 { margin:0 0 8px; font-size:16px; }
        #drill dl { display:grid; grid-template-columns:7em 1fr; gap:3px 8px; margin:0 0 12px; font-size:13px; }
        #drill dt { color:var(--muted); }
        #drill ol { list-style:none; padding:0; margin:0; border-left:2px solid var(--line); }
        #drill li { padding:4px 0 8px 12px; position:relative; font-size:13px; }
        #drill li::before { content:""; position:absolute; left:-6px; top:9px; width:10px; height:10px; border-radius:50%; background:var(--blue); }
        #drill li.superseded { color:var(--muted); text-decoration:line-through; }
        #drill button { float:right; }
        #drill table.documents { width:100%; font-size:12px; margin:0 0 12px; border-collapse:collapse; }
        #drill table.documents td, #drill table.documents th { padding:3px 4px; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; word-break:break-all; }
        #status { font-size:12px; }
        #errors { color:var(--bad); }
        .empty { color:var(--muted); padding:8px 0; }
        #banner { background:#fff4e0; border:1px solid #f0c986; color:#7a4a05; border-radius:6px; padding:8px 12px; margin-bottom:12px; }
        #banner:empty { display:none; }
        .badge.late { background:#fde2e2; color:var(--bad); }
        .badge.prov { background:#fff1d6; color:var(--warn); }
        #login { max-width:420px; margin:60px auto; background:#fff; border:1px solid var(--line); border-radius:6px; padding:20px; }
        #login h2 { margin:0 0 8px; font-size:16px; }
        #login input { width:100%; padding:6px 8px; font:inherit; margin:8px 0; }
        #login .why { color:var(--bad); font-size:13px; min-height:1.5em; }
        body[data-state="login"] main, body[data-state="login"] #drill { display:none; }
        body:not([data-state="login"]) #login { display:none; }
        </style>
        </head>
        <body data-state="loading">
        <header>
          <h1>执行事项委托 · 监控看板</h1>
          <span id="node"></span>
          <span class="meta">统计时点 <b id="asOf">—</b>　<span id="status">正在加载…</span></span>
        </header>
        <form id="login">
          <h2>请输入监控令牌</h2>
          <div class="legend">监控数据仅供指挥中心及本院工作人员查看。令牌由管理员在本节点生成：courtsync token create --name 姓名</div>
          <input id="token" type="password" autocomplete="off" placeholder="cst_…" aria-label="监控令牌">
          <div class="why" id="loginWhy"></div>
          <button type="submit">登录</button>
        </form>
        <main>
          <div id="errors"></div>
          <div id="banner"></div>
          <div class="kpis">
            <div class="kpi"><div class="label">期限内办结率</div><div class="value" data-figure="onTimeRate">—</div><div class="note">按原定期限，全部事项；延期后 <span data-figure="onTimeRateExtended">—</span></div></div>
            <div class="kpi"><div class="label">平均用时（天）</div><div class="value" data-figure="meanDays">—</div><div class="note">收到 → 办结</div></div>
            <div class="kpi"><div class="label">用时中位数 / P90（天）</div><div class="value"><span data-figure="medianDays">—</span> / <span data-figure="p90Days">—</span></div><div class="note">长尾分布</div></div>
            <div class="kpi"><div class="label">办结率</div><div class="value" data-figure="completionRate">—</div><div class="note">退回率 <span data-figure="returnRate">—</span></div></div>
            <div class="kpi"><div class="label">事项委托数</div><div class="value" data-figure="sent">—</div><div class="note">办结 <span data-figure="completed">—</span> · 退回 <span data-figure="returned">—</span></div></div>
            <div class="kpi"><div class="label">超期未办结</div><div class="value" data-figure="overdueOpen">—</div><div class="note">需督办；延期后 <span data-figure="overdueOpenExtended">—</span></div></div>
            <div class="kpi"><div class="label">失联节点</div><div class="value" data-figure="staleNodes">—</div><div class="note">节点总数 <span data-figure="nodes">—</span></div></div>
          </div>
          <div class="yoy" id="yoy"></div>
          <div class="grid">
            <section><h2>月度趋势 <small>近12个月：期限内办结率与平均用时</small></h2><div id="trend"></div></section>
            <section><h2>同步时延 <small>事件产生 → 本节点存储（秒），窗口内 P50 / P90 / P99</small></h2><div id="latencyChart"></div></section>
          </div>
          <section style="margin-bottom:14px"><h2>法院排行 <small>事项委托数按委托法院统计，其余各项按受托法院统计；点击表头排序</small></h2><div class="scroll" id="league"></div></section>
          <section class="wide"><h2>超期未办结 <small>督办清单，超期最久者在前；点击委托编号查看办理过程</small></h2><div class="scroll" id="overdue"></div></section>
          <section class="wide"><h2>迟报 <small>指挥中心收到时间晚于记录时间超过宽限期的行为：按收到时间计入指标，采纳后按记录时间计</small></h2><div class="scroll" id="late"></div></section>
          <section class="wide"><h2>节点状态 <small>最近联系、待同步事件、失联标记</small></h2><div class="scroll" id="nodes"></div></section>
        </main>
        <aside id="drill"></aside>
        <script>
        "use strict";
        const state = { data:null, sort:{ key:"onTimeRate", desc:true }, drill:null, timer:null };
        // The staff token: from #token=… once (then removed from the address), else this session's.
        (function takeTokenFromHash() {
          const params = new URLSearchParams(location.hash.slice(1));
          if (params.has("token")) { sessionStorage.setItem("courtsyncToken", params.get("token")); params.delete("token");
            const rest = params.toString(); history.replaceState(null, "", location.pathname + (rest ? "#" + rest : "")); }
        })();
        function token() { return sessionStorage.getItem("courtsyncToken") || ""; }
        class Unauthorized extends Error {}
        async function api(path) {
          const response = await fetch(path, { cache:"no-store", headers:{ "Authorization":"Bearer " + token() } });
          if (response.status === 401) throw new Unauthorized("令牌无效或已吊销");
          return response;
        }
        function showLogin(why) {
          clearTimeout(state.timer); document.body.dataset.state = "login";
          document.getElementById("loginWhy").textContent = why || ""; document.getElementById("token").focus();
        }
        document.getElementById("login").addEventListener("submit", (event) => {
          event.preventDefault(); sessionStorage.setItem("courtsyncToken", document.getElementById("token").value.trim());
          document.body.dataset.state = "loading"; load().then(openFromHash);
        });
        const $ = (id) => document.getElementById(id);
        const PROTOCOL = \#(ProtocolVersion.current);  // this hub's newest sync protocol version
        function esc(s) { return String(s).replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c])); }
        // Same rounding as the CLI (Monitoring.Figures): half away from zero, two decimals.
        function fixed(v) { const h = Math.round(Math.abs(v) * 100); return (v < 0 && h > 0 ? "-" : "") + Math.floor(h / 100) + "." + String(h % 100).padStart(2, "0"); }
        function pct(v) { return v == null ? "—" : fixed(v * 100) + "%"; }
        function days(v) { return v == null ? "—" : fixed(v); }
        // A duration in seconds as people read it on a chart: 0.12 秒, 3.5 分钟, 7.7 小时, 322.6 天.
        function duration(v) { if (v == null) return "—"; if (v < 60) return fixed(v) + " 秒"; if (v < 3600) return (v / 60).toFixed(1) + " 分钟";
          if (v < 86400) return (v / 3600).toFixed(1) + " 小时"; return (v / 86400).toFixed(1) + " 天"; }
        function when(t) { return t ? t.slice(0, 16).replace("T", " ") : "—"; }
        function rateClass(v) { return v == null ? "" : v < 0.8 ? "rate-bad" : v < 0.95 ? "rate-warn" : "rate-good"; }
        function setFigure(name, text) { document.querySelectorAll('[data-figure="' + name + '"]').forEach(e => { e.textContent = text; }); }

        async function load() {
          if (!token()) { showLogin(""); return; }
          try {
            const response = await api("/api/v1/dashboard");
            if (!response.ok) throw new Error("HTTP " + response.status);
            state.data = await response.json();
            render();
            $("status").textContent = "每 " + state.data.refreshSeconds + " 秒自动刷新";
            document.body.dataset.state = "ready";
            schedule(state.data.refreshSeconds);
          } catch (error) {
            if (error instanceof Unauthorized) { showLogin(error.message); return; }
            $("status").textContent = "刷新失败：" + error.message + "（稍后重试）";
            document.body.dataset.state = state.data ? "stale" : "error";
            schedule(15);
          }
        }
        function schedule(seconds) { clearTimeout(state.timer); state.timer = setTimeout(load, Math.max(5, seconds) * 1000); }

        function render() {
          const d = state.data, t = d.league.total;
          $("asOf").textContent = when(d.asOf);
          $("node").textContent = d.courtName + (d.role === "hub" ? "（全国汇总）" : "");
          setFigure("onTimeRate", pct(t.onTimeRate)); setFigure("meanDays", days(t.meanDays));
          setFigure("medianDays", days(t.medianDays)); setFigure("p90Days", days(t.p90Days));
          setFigure("completionRate", pct(t.completionRate)); setFigure("returnRate", pct(t.returnRate));
          setFigure("sent", String(t.sent)); setFigure("completed", String(t.completed)); setFigure("returned", String(t.returned));
          setFigure("overdueOpen", String(t.overdueOpen)); setFigure("overdueOpenExtended", String(t.overdueOpenExtended));
          setFigure("onTimeRateExtended", pct(t.onTimeRateExtended));
          renderYearOnYear(d.yearToDate);
          setFigure("staleNodes", String(d.latency.nodes.filter(n => n.stale).length)); setFigure("nodes", String(d.latency.nodes.length));
          renderTrend(d.trend); renderLeague(); renderOverdue(d.overdue.matters); renderNodes(d.latency.nodes); renderLatency(d.latency.nodes);
          renderLate(d.lateReports.reports);
          $("banner").textContent = d.calendar.warning ? "⚠ " + d.calendar.warning : "";
        }
        function renderLate(list) {
          if (!list.length) { $("late").innerHTML = '<div class="empty">没有迟报</div>'; return; }
          $("late").innerHTML = "<table><thead><tr><th class=text>委托编号</th><th class=text>执行案号</th><th class=text>行为</th><th class=text>法院</th><th class=text>记录时间</th><th class=text>指挥中心收到</th><th>迟报天数</th><th class=text>状态</th></tr></thead><tbody>" +
            list.map(r => '<tr data-late="' + esc(r.event) + '"><td class=text><a class="matter" data-id="' + esc(r.matter) + '">' + esc(r.matter) + "</a></td><td class=text>" + esc(r.caseNumber || "") + "</td><td class=text>" + esc(r.kindName) +
              "</td><td class=text>" + esc(r.authorName) + "</td><td class=text>" + when(r.recordedAt) + "</td><td class=text>" + when(r.witnessedAt) + '</td><td data-field="delayDays">' + days(r.delayDays) +
              "</td><td class=text>" + (r.accepted ? '<span class="badge ok">已采纳</span>' : '<span class="badge late">待采纳</span>') + "</td></tr>").join("") + "</tbody></table>";
          $("late").querySelectorAll("a.matter").forEach(a => a.addEventListener("click", () => openDrill(a.dataset.id)));
        }

        const leagueColumns = [
          ["key","法院代码","text"], ["label","法院名称","text"], ["received","受托数"], ["completed","办结数"], ["returned","退回数"],
          ["completionRate","办结率","pct"], ["onTimeRate","期限内办结率","pct"], ["meanDays","平均用时","days"],
          ["medianDays","中位数","days"], ["p90Days","P90","days"], ["meanSignLagDays","签收用时","days"], ["sent","事项委托数"], ["overdueOpen","超期未办结"] ];
        function cell(row, [key, , kind]) {
          const v = row[key];
          if (kind === "pct") return '<td data-field="' + key + '" class="' + (key === "onTimeRate" ? rateClass(v) : "") + '">' + pct(v) + "</td>";
          if (kind === "days") return '<td data-field="' + key + '">' + days(v) + "</td>";
          if (kind === "text") return '<td class="text" data-field="' + key + '">' + esc(v) + "</td>";
          return '<td data-field="' + key + '">' + v + "</td>";
        }
        function renderLeague() {
          const rows = state.data.league.rows.filter(r => r.key !== "最高法");
          const { key, desc } = state.sort;
          rows.sort((a, b) => {
            const x = a[key], y = b[key];
            if (x == null && y == null) return a.key < b.key ? -1 : 1;
            if (x == null) return 1; if (y == null) return -1;
            if (x === y) return a.key < b.key ? -1 : 1;
            return (x < y ? -1 : 1) * (desc ? -1 : 1);
          });
          const head = leagueColumns.map(c => '<th class="sortable ' + (c[2] === "text" ? "text" : "") + '" data-sort="' + c[0] + '">' + c[1] +
            (c[0] === key ? '<span class="arrow">' + (desc ? "▼" : "▲") + "</span>" : "") + "</th>").join("");
          const total = state.data.league.total;
          const body = rows.map(r => '<tr data-court="' + esc(r.key) + '">' + leagueColumns.map(c => cell(r, c)).join("") + "</tr>").join("");
          const foot = '<tr data-court="total" style="font-weight:600">' + leagueColumns.map(c => c[0] === "key" ? '<td class="text">合计</td>' : c[0] === "label" ? '<td class="text"></td>' : cell(total, c)).join("") + "</tr>";
          $("league").innerHTML = rows.length ? "<table><thead><tr>" + head + "</tr></thead><tbody>" + body + foot + "</tbody></table>" : '<div class="empty">暂无事项</div>';
          $("league").querySelectorAll("th.sortable").forEach(th => th.addEventListener("click", () => {
            const k = th.dataset.sort; state.sort = { key:k, desc: state.sort.key === k ? !state.sort.desc : true }; renderLeague(); }));
        }
        function signed(v, unit) { return v == null ? "—" : (v > 0 ? "+" : "") + fixed(v * 100) + unit; }
        function renderYearOnYear(report) {
          const t = report.total, y = t.yearOnYear;
          if (!y) { $("yoy").textContent = ""; return; }
          $("yoy").innerHTML = "同比（今年 " + esc(report.from) + " 至 " + esc(report.to) + "，去年同期 " + esc(report.comparedFrom) + " 至 " + esc(report.comparedTo) + "）：" +
            '事项委托数 <b data-figure="yoySent">' + t.sent + "</b>（去年同期 " + y.sent + "，" + signed(y.sentGrowth, "%") + "）· " +
            '办结数 <b data-figure="yoyCompleted">' + t.completed + "</b>（去年同期 " + y.completed + "，" + signed(y.completedGrowth, "%") + "）· " +
            '期限内办结率 <b data-figure="yoyOnTimeRate">' + pct(t.onTimeRate) + "</b>（去年同期 " + pct(y.onTimeRate) + "，" + signed(y.onTimeRateChange, " 个百分点") + "）";
        }
        function renderOverdue(list) {
          if (!list.length) { $("overdue").innerHTML = '<div class="empty">没有超期未办结的事项</div>'; return; }
          $("overdue").innerHTML = "<table><thead><tr><th class=text>委托编号</th><th class=text>执行案号</th><th class=text>委托法院</th><th class=text>受托法院</th><th class=text>事项类型</th><th class=text>状态</th><th>办理期限</th><th>超期天数</th><th class=text>延期</th><th>催办次数</th><th class=text>督办</th></tr></thead><tbody>" +
            list.map(m => '<tr data-matter="' + esc(m.id) + '"><td class=text><a class="matter" data-id="' + esc(m.id) + '">' + esc(m.id) + "</a></td><td class=text>" + esc(m.caseNumber) + "</td><td class=text>" + esc(m.entrustingCourtName) + "</td><td class=text>" + esc(m.entrustedCourtName) +
              "</td><td class=text>" + esc(m.kindName) + "</td><td class=text>" + esc(m.stateName) + "</td><td>" + esc(m.due) + (m.dueProvisional ? ' <span class="badge prov">暂定</span>' : "") + '</td><td data-field="daysOverdue" class="rate-bad">' + days(m.daysOverdue) +
              '</td><td class=text data-field="extended">' + (m.extendedDue ? '<span class="badge ext">已延期至 ' + esc(m.extendedDue) + "</span>" + (m.overdueExtended ? "（延期后仍超期）" : "（未超延长期限）") : "") +
              "</td><td>" + m.urgeCount + "</td><td class=text>" + (m.supervised ? '<span class="badge sup">督办中</span>' : "否") + "</td></tr>").join("") + "</tbody></table>";
          $("overdue").querySelectorAll("a.matter").forEach(a => a.addEventListener("click", () => openDrill(a.dataset.id)));
        }
        function renderNodes(nodes) {
          if (!nodes.length) { $("nodes").innerHTML = '<div class="empty">尚无节点同步记录</div>'; return; }
          $("nodes").innerHTML = "<table><thead><tr><th class=text>法院</th><th class=text>节点</th><th>窗口事件数</th><th>P90(秒)</th><th class=text>最近联系</th><th>待同步</th><th class=text>状态</th><th class=text>协议版本</th></tr></thead><tbody>" +
            nodes.map(n => '<tr data-node="' + esc(n.node) + '"><td class=text>' + esc(n.courtName) + "</td><td class=text>" + esc(n.node.slice(0, 14)) + "</td><td>" + n.events + '</td><td data-field="p90Seconds">' + days(n.p90Seconds) +
              "</td><td class=text>" + when(n.lastContactAt) + "</td><td>" + (n.backlog == null ? "—" : n.backlog) + "</td><td class=text>" +
              (n.stale ? '<span class="badge stale">失联</span>' : '<span class="badge ok">正常</span>') + '</td><td class=text data-field="protocol">' +
              (n.protocolVersion == null ? "—" : n.protocolVersion + (n.protocolVersion < PROTOCOL ? ' <span class="badge prov">待升级</span>' : "") + " " + esc(n.software || "")) + "</td></tr>").join("") + "</tbody></table>";
        }
        // Every month of the trend's period, with or without figures.
        function months(report) {
          const byKey = Object.fromEntries(report.rows.map(r => [r.key, r]));
          let [y, m] = report.from.split("-").map(Number); const [ey, em] = report.to.split("-").map(Number); const out = [];
          while (y < ey || (y === ey && m <= em)) { const key = y + "-" + String(m).padStart(2, "0");
            out.push(byKey[key] || { key:key, label:y + "年" + m + "月", meanDays:null, onTimeRate:null }); m += 1; if (m > 12) { m = 1; y += 1; } }
          return out;
        }
        function renderTrend(report) {
          const rows = months(report);
          const W = 620, H = 210, L = 44, R = 44, T = 14, B = 40, n = rows.length;
          if (!report.rows.length) { $("trend").innerHTML = '<div class="empty">近12个月暂无事项</div>'; return; }
          const step = (W - L - R) / n, maxDays = Math.max(1, ...rows.map(r => r.meanDays || 0));
          const y1 = v => T + (H - T - B) * (1 - v), y2 = v => T + (H - T - B) * (1 - v / maxDays);
          let s = '<svg viewBox="0 0 ' + W + " " + H + '" width="100%" role="img" aria-label="月度趋势">';
          for (let i = 0; i <= 4; i++) { const y = T + (H - T - B) * i / 4;
            s += '<line x1="' + L + '" x2="' + (W - R) + '" y1="' + y + '" y2="' + y + '" stroke="#e6eaf0"/>';
            s += '<text x="' + (L - 6) + '" y="' + (y + 4) + '" text-anchor="end">' + (100 - 25 * i) + "%</text>";
            s += '<text x="' + (W - R + 6) + '" y="' + (y + 4) + '">' + fixed(maxDays * (1 - i / 4)) + "</text>"; }
          rows.forEach((r, i) => { const x = L + step * i + step * 0.2, w = step * 0.6;
            if (r.meanDays != null) s += '<rect x="' + x + '" y="' + y2(r.meanDays) + '" width="' + w + '" height="' + (H - B - y2(r.meanDays)) + '" fill="#c7d7ee"><title>' + esc(r.label) + " 平均用时 " + days(r.meanDays) + " 天</title></rect>";
            s += '<text x="' + (x + w / 2) + '" y="' + (H - B + 14) + '" text-anchor="middle">' + Number(r.key.slice(5)) + "月</text>"; });
          const pts = rows.map((r, i) => r.onTimeRate == null ? null : [L + step * (i + 0.5), y1(r.onTimeRate), r]).filter(p => p);
          if (pts.length) s += '<polyline fill="none" stroke="#9b1c1c" stroke-width="2" points="' + pts.map(p => p[0] + "," + p[1]).join(" ") + '"/>';
          pts.forEach(p => { s += '<circle cx="' + p[0] + '" cy="' + p[1] + '" r="3.5" fill="#9b1c1c"><title>' + esc(p[2].label) + " 期限内办结率 " + pct(p[2].onTimeRate) + "</title></circle>"; });
          s += '<text x="' + L + '" y="' + (H - 6) + '">' + esc(rows[0].label) + " — " + esc(rows[n - 1].label) + "</text></svg>";
          $("trend").innerHTML = s + '<div class="legend"><span style="background:#9b1c1c"></span>期限内办结率（左轴）<span style="background:#c7d7ee"></span>平均用时，天（右轴）</div>';
        }
        function renderLatency(nodes) {
          const shown = nodes.filter(n => n.events > 0), quiet = nodes.filter(n => n.events === 0);
          const quietNote = quiet.length ? '<div class="legend">窗口内无事件：' + quiet.map(n => esc(n.courtName) + (n.stale ? "（失联）" : "")).join("、") + "</div>" : "";
          if (!shown.length) { $("latencyChart").innerHTML = '<div class="empty">窗口内没有来自其他节点的事件</div>' + quietNote; return; }
          const rowH = 22, L = 150, W = 620, H = 20 + rowH * shown.length, max = Math.max(1, ...shown.map(n => n.p99Seconds || 0));
          const x = v => L + (W - L - 110) * v / max;
          let s = '<svg viewBox="0 0 ' + W + " " + H + '" width="100%" role="img" aria-label="同步时延">';
          shown.forEach((n, i) => { const y = 10 + rowH * i;
            s += '<text x="' + (L - 8) + '" y="' + (y + 13) + '" text-anchor="end">' + esc(n.courtName) + "</text>";
            s += '<rect x="' + L + '" y="' + (y + 3) + '" width="' + (x(n.p99Seconds) - L) + '" height="14" fill="#f3d1d1"><title>P99 ' + days(n.p99Seconds) + " 秒</title></rect>";
            s += '<rect x="' + L + '" y="' + (y + 3) + '" width="' + (x(n.p90Seconds) - L) + '" height="14" fill="#e7a0a0"><title>P90 ' + days(n.p90Seconds) + " 秒</title></rect>";
            s += '<rect x="' + L + '" y="' + (y + 3) + '" width="' + (x(n.p50Seconds) - L) + '" height="14" fill="#9b1c1c"><title>P50 ' + days(n.p50Seconds) + " 秒</title></rect>";
            s += '<text x="' + (x(n.p99Seconds) + 6) + '" y="' + (y + 13) + '">' + "P90 " + duration(n.p90Seconds) + "</text>";
            if (n.stale) s += '<text x="' + (W - 4) + '" y="' + (y + 13) + '" text-anchor="end" style="fill:#b91c1c">失联</text>'; });
          $("latencyChart").innerHTML = s + "</svg>" + '<div class="legend"><span style="background:#9b1c1c"></span>P50<span style="background:#e7a0a0"></span>P90<span style="background:#f3d1d1"></span>P99</div>' + quietNote;
        }
        async function openDrill(id) {
          state.drill = id;
          const panel = $("drill");
          panel.className = "open"; panel.innerHTML = "正在加载 " + esc(id) + " …";
          try {
            const response = await api("/api/v1/matters/" + encodeURIComponent(id));
            const m = await response.json().catch(() => ({}));
            if (state.drill !== id) return; // another matter was opened meanwhile
            if (!response.ok) throw new Error((m.error && m.error.message) || ("HTTP " + response.status));
            const unit = (v) => v == null ? "—" : days(v) + " 天";
            const fields = [["执行案号", m.caseNumber], ["委托法院", m.entrustingCourtName], ["受托法院", m.entrustedCourtName], ["事项类型", m.kindName + (m.urgent ? "（加急）" : "")],
               ["状态", m.stateName], ["签收期限", m.signDue + (m.signDueProvisional ? "（暂定）" : "")], ["办理期限", m.due + (m.dueProvisional ? "（暂定）" : "") + (m.extendedDue ? "；已延期至 " + m.extendedDue + (m.overdueExtended ? "（延期后仍超期）" : "") : "")],
               ["委托时间", when(m.sentAt)], ["送达（指挥中心）", when(m.deliveredAt)], ["收到时间", when(m.receivedAt)],
               ["签收时间", when(m.signedAt)], ["签收用时", unit(m.signLagDays)]];
            if (m.completedAt) fields.push(["办结时间", when(m.completedAt)], ["用时", unit(m.completionDays)], ["期限内办结", m.onTime ? "是" : "否（超过办理期限）"]);
            if (m.returnedAt) fields.push(["退回时间", when(m.returnedAt)], ["退回原因", m.returnReasonName || "—"]);
            if (m.withdrawnAt) fields.push(["撤回时间", when(m.withdrawnAt)]);
            if (m.overdue) fields.push(["超期天数", days(m.daysOverdue) + " 天（未办结）"]);
            if (m.supplement) fields.push(["补办", (m.supplement.kindNames || []).join("、") + "，期限 " + m.supplement.due + (m.supplement.answeredAt ? "（已补齐）" : (m.supplement.deemedWithdrawn ? "（逾期未补，视为撤回）" : "（待补办）"))]);
            const size = (b) => b < 1024 ? b + " B" : (b < 1048576 ? (b / 1024).toFixed(1) + " KiB" : (b / 1048576).toFixed(1) + " MiB");
            const documents = (m.documents || []).length === 0 ? '<p class="muted">（无材料）</p>' :
              '<table class="documents"><thead><tr><th>种类</th><th>文件名</th><th>大小</th><th>提交</th></tr></thead><tbody>' +
              m.documents.map(d => "<tr><td>" + esc(d.kindName) + "</td><td>" + esc(d.fileName) + "</td><td>" + size(d.size) + "</td><td>" + esc(d.courtName) + "<br><small>" + when(d.attachedAt) + "</small></td></tr>").join("") + "</tbody></table>";
            panel.innerHTML = '<button id="closeDrill">关闭</button><h3>' + esc(m.id) + "</h3><dl>" +
              fields.map(([k, v]) => "<dt>" + k + "</dt><dd>" + esc(v) + "</dd>").join("") + "</dl><h3>材料</h3>" + documents + "<h3>办理过程</h3><ol>" +
              m.steps.map(st => '<li data-step="' + esc(st.kind) + '" class="' + (st.superseded ? "superseded" : "") + '"><b>' + esc(st.kindName) + "</b> · " + esc(st.authorName) + "<br><small>记录 " + when(st.recordedAt) + "　指挥中心存证 " + when(st.witnessedAt) + "　本节点收到 " + when(st.storedAt) +
                (st.late ? (st.lateAccepted ? '　<span class="badge ok">迟报·已采纳</span>' : '　<span class="badge late">迟报</span>') : "") +
                (st.superseded ? "　已被并发操作取代" : "") + "</small></li>").join("") + "</ol>";
            panel.dataset.matter = m.id;
            $("closeDrill").addEventListener("click", () => { panel.className = ""; state.drill = null; if (location.hash) history.replaceState(null, "", location.pathname); });
          } catch (error) {
            if (error instanceof Unauthorized) { showLogin(error.message); return; }
            panel.innerHTML = '<button onclick="this.parentNode.className=\'\'">关闭</button>无法加载：' + esc(error.message); }
        }
        window.addEventListener("error", (event) => { document.body.dataset.state = "error"; $("errors").textContent = "页面错误：" + event.message; });
        window.addEventListener("hashchange", openFromHash);
        // A link to /dashboard#matter=ID opens that matter's timeline (for 督办 notices).
        function openFromHash() { if (document.body.dataset.state === "login") return;
          const id = new URLSearchParams(location.hash.slice(1)).get("matter"); if (id) openDrill(id); }
        load().then(openFromHash);
        </script>
        </body>
        </html>
        """#
}
