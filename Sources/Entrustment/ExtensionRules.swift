/// The rules for extending a matter's completion deadline (延期), applied alike by every replica
/// (`docs/indicators.md`, `Protocol/changeset.md` §7).
///
/// - Only the entrusted court asks, while the matter is signed for or in progress, and before the
///   deadline in force has passed; with a reason; one open request per matter.
/// - The entrusting court, a superior of the entrusted court, or the hub decides.
/// - An approved request moves the deadline by its days, counted from the deadline in force with
///   art. 85 (a last day on a rest day rolls to the next working day).
/// - At most ``DeadlinePolicy/extensionLimit`` approved extensions per matter and
///   ``DeadlinePolicy/extensionDaysLimit`` days among them, from the hub's signed calendar rules
///   of the version the matter's `create` names.
public enum ExtensionRules {
    /// Whether `court` may decide a request for more time on `matter`: its entrusting court, a
    /// superior of its entrusted court, or 最高法 (the hub).
    public static func mayDecide(_ court: CourtCode, on matter: Matter, in directory: CourtDirectory) -> Bool {
        court == matter.entrustingCourt || court == .supreme
            || directory.isSuperior(court, of: matter.entrustedCourt)
    }

    /// The last day of a deadline `due` extended by `days` calendar days (art. 85: the old last
    /// day not counted, a new last day on a rest day rolled to the next working day).
    public static func extend(_ due: CivilDate, by days: Int, in calendar: HolidayCalendar) -> CivilDate {
        DeadlinePolicy.lastDay(of: .calendarDays(days), from: due, in: calendar)
    }

    /// The approved extensions of `matter` that count under `policy`, in the order they were asked:
    /// the first ``DeadlinePolicy/extensionLimit`` whose days together stay within
    /// ``DeadlinePolicy/extensionDaysLimit`` (admission never lets more be approved; this keeps
    /// the count bounded whatever arrives).
    public static func approved(_ matter: Matter, under policy: DeadlinePolicy) -> [ExtensionRequest] {
        var counted: [ExtensionRequest] = []
        var days = 0
        for request in matter.extensions where request.status == .approved {
            guard counted.count < policy.extensionLimit, days + request.days <= policy.extensionDaysLimit else {
                break
            }
            counted.append(request)
            days += request.days
        }
        return counted
    }
}
