import ArgumentParser
import Entrustment
import Foundation
import Node
import Replica

/// `courtsync matter …`: create, act on and inspect entrusted matters.
struct MatterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matter",
        abstract: "事项委托 — create, act on and inspect entrusted matters.",
        subcommands: [
            CreateMatter.self, SignMatter.self, StartMatter.self, CompleteMatter.self, ReturnMatter.self,
            WithdrawMatter.self, UrgeMatter.self, SuperviseMatter.self, CloseMatter.self, EditMatter.self,
            AttachDocument.self, MatterDocuments.self, RequestSupplement.self, RequestExtension.self,
            DecideExtension.self, ShowMatter.self,
            ListMatters.self, ListKinds.self,
        ])
}

/// The view of one matter, with the times that count and its late reports.
func matterView(_ matter: Matter, node: CourtNode) throws(NodeError) -> MatterView {
    let timing = try node.read { () throws(ReplicaError) in try node.replica.matterTiming(matter.id) }
    let late = try node.read { () throws(ReplicaError) in try node.replica.lateReports(matter: matter.id) }
    let store = node.documentStore()
    let here = Set(matter.documents.map(\.reference.hash).filter(store.holds).map(\.hex))
    return MatterView(
        matter, timing: timing, lateReports: late, now: node.time.now(), directory: node.replica.directory,
        documentsHere: here)
}

/// Prints a matter after an act: JSON, or its main fields in Chinese.
func printMatter(_ matter: Matter, node: CourtNode, json: Bool) throws(NodeError) {
    let view = try matterView(matter, node: node)
    if json {
        printJSON(view)
    } else {
        print(renderFields(matterFields(view)))
    }
}

func matterFields(_ v: MatterView) -> [(String, String)] {
    func yesNo(_ b: Bool?) -> String { b.map { $0 ? "是" : "否" } ?? "—" }
    var fields: [(String, String)] = [
        ("委托编号", v.id),
        ("委托案号", v.caseNumber),
        ("委托法院", "\(v.entrustingCourtName ?? "")（\(v.entrustingCourt)）"),
        ("受托法院", "\(v.entrustedCourtName ?? "")（\(v.entrustedCourt)）"),
        ("委托事项", "\(v.kindName)（\(v.kind)）\(v.urgent ? " 【加急】" : "")"),
        (
            "状态",
            "\(v.stateName)（\(v.state)）\(v.overdue ? (v.extendedDueDate != nil && !v.overdueExtended ? " 【超原期限，已延期】" : " 【超期】") : "")\(v.deemedWithdrawn ? " 【视为撤回：逾期未补办】" : "")"
        ),
    ]
    if !v.missingDocuments.isEmpty {
        let names = v.missingDocuments.compactMap { DocumentKind(rawValue: $0)?.chineseName }
        fields.append(("材料待补", names.joined(separator: "、")))
    }
    if let a = v.applicant { fields.append(("申请执行人", a)) }
    if let d = v.debtor {
        fields.append(("被执行人", d + (v.debtorId.map { "（\(IdentityNumberMask.mask($0))）" } ?? "")))
    }
    if let e = v.measureExpires { fields.append(("措施到期日", e)) }
    if let n = v.note { fields.append(("备注", n)) }
    if let p = v.contactPerson { fields.append(("联系人", p)) }
    if let p = v.contactPhone { fields.append(("联系电话", p)) }
    /// A recorded time, with the time it counts at when the hub witnessed it late (迟报).
    func time(_ recorded: String?, _ kind: EventKind) -> String? {
        guard let recorded else { return nil }
        guard let late = v.lateReports.first(where: { $0.kind == kind.rawValue }) else { return recorded }
        return late.accepted
            ? "\(recorded)（迟报，指挥中心 \(late.witnessedAt) 收到；已采纳，按记录时间计）"
            : "\(recorded)（迟报：指挥中心 \(late.witnessedAt) 收到，按收到时间计）"
    }
    let provisional = "（暂定：节假日历尚未覆盖）"
    fields += [
        ("委托时间", time(v.sentAt, .create)!),
        ("签收期限", v.signDueDate + (v.signDueProvisional ? provisional : "")),
        ("办理期限", v.dueDate + (v.dueProvisional ? provisional : "")),
    ]
    if let extended = v.extendedDueDate { fields.append(("延期后办理期限", extended)) }
    fields += [
        (
            "收到时间",
            v.receivedAt.map { $0 == v.counted.receivedAt ? $0 : "\($0)（计为 \(v.counted.receivedAt ?? "—")）" } ?? "—"
        ),
        ("签收时间", time(v.signedAt, .sign) ?? "—"),
    ]
    if let t = v.startedAt { fields.append(("开始办理", t)) }
    if let t = time(v.completedAt, .complete) {
        fields.append(("办结时间", t))
        fields.append(("期限内办结", yesNo(v.onTime) + (v.extendedDueDate == nil ? "" : "（原期限）")))
        if v.extendedDueDate != nil { fields.append(("期限内办结（延期后）", yesNo(v.onTimeExtended))) }
    }
    if let o = v.outcome { fields.append(("办理结果", Outcome(rawValue: o)?.chineseName ?? o)) }
    if let t = time(v.returnedAt, .return) { fields.append(("退回时间", t)) }
    if let r = v.returnReason { fields.append(("退回原因", ReturnReason(rawValue: r)?.chineseName ?? r)) }
    if let f = v.feedback, !f.isEmpty { fields.append(("反馈", f)) }
    if let t = time(v.withdrawnAt, .withdraw) { fields.append(("撤回时间", t)) }
    if let t = v.closedAt { fields.append(("归档时间", t)) }
    if v.urgeCount > 0 { fields.append(("催办次数", String(v.urgeCount))) }
    if let s = v.supplement {
        let status =
            switch s.status {
            case "answered": "已补齐（\(s.answeredAt ?? "")）"
            case "lapsed": "逾期未补，视为撤回"
            default: "待补办，期限 \(s.due)"
            }
        fields.append(("补办", "\(s.kindNames.joined(separator: "、"))；\(status)\(s.note.isEmpty ? "" : "；\(s.note)")"))
    }
    for d in v.documents {
        fields.append(
            (
                "材料 \(d.hash.prefix(12))",
                "\(d.kindName)：\(d.fileName)（\(DocumentSize.text(d.size))，\(d.court)，\(d.attachedAt)）\(d.here ? "" : " 【传输中】")"
            ))
    }
    for e in v.extensions {
        var text = "\(e.days) 日（\(e.requestedBy)，\(e.requestedAt)）；\(e.statusName)"
        if let by = e.decidedBy, let at = e.decidedAt { text += "（\(by)，\(at)）" }
        text += "；理由：\(e.reason)"
        if let note = e.decisionNote, !note.isEmpty { text += "；审批意见：\(note)" }
        fields.append(("延期申请 \(e.event.prefix(12))", text))
    }
    if v.supervised { fields.append(("督办", "是")) }
    for c in v.conflicts {
        fields.append(
            (
                "冲突 \(c.id.prefix(12))",
                "\(c.ruleName)：\(c.superseded.kindName)（\(c.superseded.author)）被\(c.winner.kindName)（\(c.winner.author)）取代，\(c.statusName)"
            ))
    }
    fields.append(("状态摘要", String(v.digest.prefix(16))))
    return fields
}

struct CreateMatter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "委托 — send a new matter from this court to another court.")

    @OptionGroup var node: NodeOptions
    @Option(name: .customLong("case"), help: "The entrusting enforcement case (委托案号), e.g. （2026）京0105执123号.")
    var caseNumber: String
    @Option(name: .long, help: "The entrusted court (受托法院) by code, e.g. 粤0106.")
    var to: String
    @Option(name: .long, help: "The matter kind, e.g. deposit:freeze (see `courtsync matter kinds`).")
    var kind: String
    @Option(name: .long, help: "被执行人 — the judgment debtor.")
    var debtor: String?
    @Option(name: .customLong("debtor-id"), help: "The debtor's id number (身份证号/统一社会信用代码).")
    var debtorID: String?
    @Option(name: .long, help: "申请执行人 — the applicant.")
    var applicant: String?
    @Flag(name: .long, help: "加急 — urgent (shorter deadlines).")
    var urgent = false
    @Option(name: .long, help: "The day an existing freeze or seal expires, YYYY-MM-DD (for renewals).")
    var expires: String?
    @Option(name: .long, help: "备注 — a note.")
    var note: String?
    @Option(
        name: .customLong("attach"),
        help: ArgumentHelp(
            "材料 — a document to send with the matter, as KIND=FILE (repeatable).",
            discussion:
                "KIND is one of \(DocumentKind.allCases.map { "\($0.rawValue) \($0.chineseName)" }.joined(separator: ", ")). PDF, OFD, JPEG, PNG or TIFF only."
        ))
    var attachments: [String] = []
    @Flag(
        name: .customLong("documents-later"),
        help: "Send without every required document (委托执行函, 生效法律文书 …); the matter shows 材料待补 until attached.")
    var documentsLater = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let files = try attachments.map(parseAttachment)
            let limits = node.documentLimits()
            try node.withNode { node in
                let matter = try node.createMatter(
                    MatterDraft(
                        caseNumber: caseNumber, entrustedCourt: to, kind: kind, urgent: urgent, applicant: applicant,
                        debtor: debtor, debtorID: debtorID, measureExpires: expires, note: note),
                    attaching: files, documentsLater: documentsLater, limits: limits)
                try printMatter(matter, node: node, json: output.json)
            }
        }
    }

    private func parseAttachment(_ text: String) throws -> DocumentFile {
        guard let equals = text.firstIndex(of: "="), let kind = DocumentKind(text: String(text[..<equals])),
            text.index(after: equals) < text.endIndex
        else {
            throw NodeError(
                code: "invalidArgument",
                "--attach takes KIND=FILE with KIND one of \(DocumentKind.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\""
            )
        }
        return DocumentFile(kind: kind, file: URL(fileURLWithPath: String(text[text.index(after: equals)...])))
    }
}

/// `courtsync matter attach`: 提交材料.
struct AttachDocument: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach", abstract: "提交材料 — attach a document (letter, judgment, receipt …) to a matter.")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @Option(
        name: .long,
        help: "The kind: \(DocumentKind.allCases.map { "\($0.rawValue) \($0.chineseName)" }.joined(separator: ", ")).")
    var kind: String
    @Argument(help: "The file (PDF, OFD, JPEG, PNG or TIFF).") var file: String
    @Option(name: .long, help: "备注 — a note.") var note = ""
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            guard let kind = DocumentKind(text: kind) else {
                throw NodeError(
                    code: "invalidArgument",
                    "unknown document kind \"\(kind)\": one of \(DocumentKind.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            let limits = node.documentLimits()
            try node.withNode { node in
                let matter = try node.attach(
                    DocumentFile(kind: kind, file: URL(fileURLWithPath: file)), to: id, note: note, limits: limits)
                try printMatter(matter, node: node, json: output.json)
            }
        }
    }
}

/// `courtsync matter documents`: 材料 of one matter.
struct MatterDocuments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents",
        abstract: "材料 — a matter's documents: kind, name, size, hash, who, when, here or still coming.")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            try node.withNode { node in
                let view = try matterView(try node.matter(id), node: node)
                let transfers = try node.read { () throws(ReplicaError) in try node.replica.documentTransfers() }
                if output.json {
                    struct Documents: Encodable {
                        var matter: String
                        var documents: [MatterView.DocumentView]
                        var missingDocuments: [String]
                        var supplement: MatterView.SupplementView?
                    }
                    printJSON(
                        Documents(
                            matter: view.id, documents: view.documents, missingDocuments: view.missingDocuments,
                            supplement: view.supplement))
                    return
                }
                var table = TextTable(headers: ["种类", "文件名", "格式", "大小", "哈希", "提交法院", "提交时间", "本节点"])
                for d in view.documents {
                    let progress = transfers.first { $0.hash == d.hash && $0.direction == "download" }
                    let here =
                        d.here
                        ? "已存"
                        : progress.map { "传输中 \(DocumentSize.text(Int($0.done)))/\(DocumentSize.text(Int($0.total)))" }
                            ?? "待传"
                    table.append([
                        d.kindName, TerminalText.escape(d.fileName, keepLineBreaks: false),
                        DocumentMediaType(rawValue: d.mediaType)?.label ?? d.mediaType, DocumentSize.text(d.size),
                        String(d.hash.prefix(16)), d.court, d.attachedAt, here,
                    ])
                }
                print(view.documents.isEmpty ? "（无材料）" : table.rendered)
                if !view.missingDocuments.isEmpty {
                    let names = view.missingDocuments.compactMap { DocumentKind(rawValue: $0)?.chineseName }
                    print("材料待补：\(names.joined(separator: "、"))")
                }
            }
        }
    }
}

/// `courtsync matter request-supplement`: 要求补办.
struct RequestSupplement: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request-supplement",
        abstract: "要求补办 — ask the entrusting court for missing documents (30 days; unanswered: 视为撤回).")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @Option(name: .long, help: "The kinds wanted, comma-separated, e.g. judgment,ruling.") var kinds: String
    @Option(name: .long, help: "备注 — what is missing.") var note = ""
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            var parsed: [DocumentKind] = []
            for text in kinds.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let kind = DocumentKind(text: text) else {
                    throw NodeError(
                        code: "invalidArgument",
                        "unknown document kind \"\(text)\": one of \(DocumentKind.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                parsed.append(kind)
            }
            try node.withNode { node in
                let matter = try node.requestSupplement(id, kinds: parsed, note: note)
                try printMatter(matter, node: node, json: output.json)
            }
        }
    }
}

/// `courtsync matter request-extension`: 申请延期.
struct RequestExtension: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request-extension",
        abstract: "申请延期 — ask the entrusting court for more time, before the deadline passes, with a reason.",
        discussion: """
            Only the entrusted court asks, while the matter is signed for or in progress, and before its deadline (the extended one, after an earlier approval) has passed. --days N asks for N calendar days after the deadline in force; --until DATE for the deadline to end on DATE. A last day on a rest day moves to the next working day (art. 85). The hub's signed calendar rules limit how many extensions a matter may have approved and how many days they may add (courtsync calendar shows them). The entrusting court, a superior of the entrusted court, or the hub decides (courtsync matter decide-extension).
            """)
    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @Option(name: .long, help: "延期天数 — calendar days after the deadline in force.") var days: Int?
    @Option(name: .long, help: "延期至 — the new last day, YYYY-MM-DD.") var until: String?
    @Option(name: .long, help: "延期理由 — why more time is needed (required, at most 4096 bytes).") var reason: String
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard (days == nil) != (until == nil) else { throw ValidationError("give either --days N or --until DATE") }
    }

    func run() throws {
        try reporting(json: output.json) {
            let day = try parseDay(until, "--until")
            try node.withNode { node in
                let matter = try node.requestExtension(id, days: days, until: day, reason: reason)
                try printMatter(matter, node: node, json: output.json)
            }
        }
    }
}

/// `courtsync matter decide-extension`: 延期审批.
struct DecideExtension: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide-extension",
        abstract: "延期审批 — approve or refuse the matter's request for more time (委托法院、受托法院的上级法院或指挥中心).")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @Flag(name: .long, help: "批准延期.") var approve = false
    @Flag(name: .long, help: "不予批准.") var refuse = false
    @Option(name: .long, help: "审批意见 — a note.") var note = ""
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard approve != refuse else { throw ValidationError("give either --approve or --refuse") }
    }

    func run() throws {
        try reporting(json: output.json) {
            try node.withNode { node in
                let matter = try node.decideExtension(id, approve ? .approve : .refuse, note: note)
                try printMatter(matter, node: node, json: output.json)
            }
        }
    }
}

/// The arguments of an act that carries only a note: `courtsync matter ACT ID [--note TEXT]`.
struct NoteActArguments: ParsableArguments {
    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @Option(name: .long, help: "备注 — a note (for a withdrawal: the reason).") var note = ""
    @OptionGroup var output: OutputOptions
}

/// An act with only a note; conformers name the act.
protocol NoteAct: ParsableCommand {
    var arguments: NoteActArguments { get }
    static func action(note: String) -> EventAction
}

extension NoteAct {
    func run() throws {
        let arguments = arguments
        try reporting(json: arguments.output.json) {
            try arguments.node.withNode { node in
                try printMatter(
                    try node.act(on: arguments.id, Self.action(note: arguments.note)), node: node,
                    json: arguments.output.json)
            }
        }
    }
}

struct SignMatter: NoteAct {
    static let configuration = CommandConfiguration(
        commandName: "sign", abstract: "签收 — sign for a matter (entrusted court).")
    @OptionGroup var arguments: NoteActArguments
    static func action(note: String) -> EventAction { .sign(note: note) }
}

struct StartMatter: NoteAct {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "开始办理 — start carrying out a signed matter.")
    @OptionGroup var arguments: NoteActArguments
    static func action(note: String) -> EventAction { .start(note: note) }
}

struct WithdrawMatter: NoteAct {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: "撤回 — withdraw a matter (entrusting court).")
    @OptionGroup var arguments: NoteActArguments
    static func action(note: String) -> EventAction { .withdraw(note: note) }
}

struct UrgeMatter: NoteAct {
    static let configuration = CommandConfiguration(
        commandName: "urge", abstract: "催办 — urge an open matter (entrusting court, a superior court or the hub).")
    @OptionGroup var arguments: NoteActArguments
    static func action(note: String) -> EventAction { .urge(note: note) }
}

struct SuperviseMatter: NoteAct {
    static let configuration = CommandConfiguration(
        commandName: "supervise", abstract: "督办 — supervise an open matter (a superior court or the hub).")
    @OptionGroup var arguments: NoteActArguments
    static func action(note: String) -> EventAction { .supervise(note: note) }
}

struct CloseMatter: NoteAct {
    static let configuration = CommandConfiguration(
        commandName: "close", abstract: "归档 — confirm receipt of the feedback and close (entrusting court).")
    @OptionGroup var arguments: NoteActArguments
    static func action(note: String) -> EventAction { .close(note: note) }
}

struct CompleteMatter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete", abstract: "办结反馈 — complete a matter with its outcome (entrusted court).")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @Option(name: .long, help: "full|partial|none (全部完成/部分完成/未能完成).") var outcome: String
    @Option(name: .long, help: "反馈 — what was done (accounts frozen, amounts, receipts).") var feedback = ""
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            guard let parsed = Outcome(rawValue: outcome) else {
                throw NodeError(code: "invalidOutcome", "unknown outcome \"\(outcome)\": use full, partial or none")
            }
            try node.withNode { node in
                try printMatter(
                    try node.act(on: id, .complete(outcome: parsed, feedback: feedback)), node: node, json: output.json)
            }
        }
    }
}

struct ReturnMatter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "return", abstract: "退回 — return a matter with a reason (entrusted court).")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @Option(
        name: .long,
        help: "notInJurisdiction|documentsIncomplete|assetNotFound|duplicate|other (不属本院辖区/材料不全/财产不存在/重复委托/其他).")
    var reason: String
    @Option(name: .long, help: "反馈 — an explanation.") var feedback = ""
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            guard let parsed = ReturnReason(rawValue: reason) else {
                let known = ReturnReason.allCases.map(\.rawValue).joined(separator: ", ")
                throw NodeError(code: "invalidReason", "unknown return reason \"\(reason)\": use one of \(known)")
            }
            try node.withNode { node in
                try printMatter(
                    try node.act(on: id, .return(reason: parsed, feedback: feedback)), node: node, json: output.json)
            }
        }
    }
}

struct EditMatter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "修改信息 — change the contact person (联系人), phone (联系电话) or note (备注) of a matter.",
        discussion: """
            Either party may change these at any time; each changed field is one event. If two courts change the same field without seeing each other's change, the later (by hybrid clock, then node) stands everywhere and the other is listed by `courtsync conflicts`. An empty value clears the field.
            """)

    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @Option(name: .long, help: "联系人 — the person to call about the matter.") var contact: String?
    @Option(name: .long, help: "联系电话 — digits, spaces and + - ( ) , 转.") var phone: String?
    @Option(name: .long, help: "备注 — the matter's note.") var note: String?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard contact != nil || phone != nil || note != nil else {
            throw ValidationError("give at least one of --contact, --phone, --note")
        }
    }

    func run() throws {
        try reporting(json: output.json) {
            try node.withNode { node in
                var changes: [(DescriptiveField, String)] = []
                if let contact { changes.append((.contactPerson, contact)) }
                if let phone { changes.append((.contactPhone, phone)) }
                if let note { changes.append((.note, note)) }
                let (matter, changed) = try node.edit(id, changes)
                if !output.json {
                    print(changed.isEmpty ? "无变化。" : "已修改：\(changed.map(\.chineseName).joined(separator: "、"))")
                }
                try printMatter(matter, node: node, json: output.json)
            }
        }
    }
}

struct ShowMatter: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "查看事项 — a matter and its events.")
    @OptionGroup var node: NodeOptions
    @Argument(help: "The matter id (委托编号).") var id: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            try node.withNode { node in
                let matter = try node.matter(id)
                let events = try node.events(of: matter.id)
                let view = try matterView(matter, node: node)
                if output.json {
                    struct Detail: Encodable {
                        var matter: MatterView
                        var events: [EventView]
                    }
                    printJSON(Detail(matter: view, events: events.map(EventView.init)))
                } else {
                    print(renderFields(matterFields(view)))
                    print("\n全程留痕（事件）")
                    var table = TextTable(headers: ["序号", "事件", "法院", "时间", "事件ID"])
                    for stored in events {
                        let e = stored.event
                        table.append([
                            String(stored.sequence), e.kind.chineseName, e.author.rawValue, e.recordedAt.rfc3339,
                            String(e.id.hex.prefix(12)),
                        ])
                    }
                    print(table.rendered)
                }
            }
        }
    }
}

struct ListMatters: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "事项列表 — list matters.")
    @OptionGroup var node: NodeOptions
    @Option(
        name: .long, help: "Only this state: sent|signed|inProgress|completed|closed|returned|withdrawn (or 待签收 …).")
    var state: String?
    @Flag(name: .long, help: "超期未办结 — only open matters past their deadline.")
    var overdue = false
    @Flag(name: .long, help: "待审批延期 — only matters with a request for more time waiting for a decision.")
    var pendingExtension = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            var filter = MatterFilter()
            if let state {
                guard let parsed = MatterState(text: state) else {
                    let known = MatterState.allCases.map(\.rawValue).joined(separator: ", ")
                    throw NodeError(code: "invalidState", "unknown state \"\(state)\": use one of \(known)")
                }
                filter.state = parsed
            }
            try node.withNode { node in
                let now = node.time.now()
                if overdue { filter.overdueAt = now }
                filter.pendingExtension = pendingExtension
                let timings = try node.read { () throws(ReplicaError) in
                    Dictionary(
                        try node.replica.matterTimings().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                }
                let views = try node.matters(filter).map {
                    MatterView(
                        $0, timing: timings[$0.id], lateReports: [], now: now, directory: node.replica.directory)
                }
                if output.json {
                    struct MatterList: Encodable { var matters: [MatterView] }
                    printJSON(MatterList(matters: views))
                } else {
                    var table = TextTable(headers: [
                        "委托编号", "委托案号", "委托法院", "受托法院", "事项", "状态", "委托时间", "办理期限", "超期", "延期",
                    ])
                    for v in views {
                        table.append([
                            v.id, v.caseNumber, v.entrustingCourt, v.entrustedCourt, v.kindName, v.stateName,
                            String(v.sentAt.prefix(16)).replacingOccurrences(of: "T", with: " "), v.dueDate,
                            v.overdue ? "超期" : "",
                            v.extensions.last?.status == "pending"
                                ? "待审批" : v.extendedDueDate.map { "至 \($0)" } ?? "",
                        ])
                    }
                    print(table.rendered)
                    print("共 \(views.count) 件")
                }
            }
        }
    }
}

struct ListKinds: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kinds", abstract: "事项类型 — the matter kinds.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        if output.json {
            struct KindView: Encodable {
                var id: String
                var name: String
                var assetClass: String
            }
            struct KindList: Encodable { var kinds: [KindView] }
            printJSON(
                KindList(
                    kinds: MatterKind.allCases.map {
                        KindView(id: $0.id, name: $0.chineseName, assetClass: $0.assetClassName)
                    }))
        } else {
            var table = TextTable(headers: ["类型", "名称", "财产类别"])
            for kind in MatterKind.allCases { table.append([kind.id, kind.chineseName, kind.assetClassName]) }
            print(table.rendered)
        }
    }
}
