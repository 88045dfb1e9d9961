/// How figures are shown to people: the CLI table, and the dashboard's script (which rounds the
/// same way, so the page and the report show the same digits).
///
/// Values are rounded half away from zero at two decimals of the shown unit, after multiplying
/// (a rate becomes a percentage first): in the page, `Math.round(|v| · 100)` hundredths with the
/// sign put back.
public enum Figures {
    /// `92.78%`, or `—` for a rate without a denominator.
    public static func percent(_ rate: Double?) -> String {
        guard let rate else { return "—" }
        return fixed(rate * 100) + "%"
    }

    /// `4.91`, or `—` without a value.
    public static func days(_ value: Double?) -> String {
        guard let value else { return "—" }
        return fixed(value)
    }

    /// Two decimals, rounded half away from zero.
    public static func fixed(_ value: Double) -> String {
        let hundredths = (value * 100).rounded(.toNearestOrAwayFromZero)
        let negative = hundredths < 0
        let magnitude = Int64(abs(hundredths))
        let fraction = magnitude % 100
        return "\(negative ? "-" : "")\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
