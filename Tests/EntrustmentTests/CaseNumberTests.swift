import Entrustment
import TestSupport
import Testing

@Suite("Case numbers (案号)")
struct CaseNumberTests {
    @Test(
        "valid case numbers parse into their parts and print canonically",
        arguments: [
            ("（2026）京0105执123号", 2026, "京0105", CaseTypeCode.enforcement, 123, "（2026）京0105执123号"),
            ("(2026)京0105执123号", 2026, "京0105", .enforcement, 123, "（2026）京0105执123号"),
            ("（2020）京执复12号", 2020, "京", .reconsideration, 12, "（2020）京执复12号"),
            ("（2021）粤0703执恢5号", 2021, "粤0703", .resumed, 5, "（2021）粤0703执恢5号"),
            ("(2024）最高法执监1号", 2024, "最高法", .supervision, 1, "（2024）最高法执监1号"),
            ("（2019）沪01执保9999999号", 2019, "沪01", .preservation, 9_999_999, "（2019）沪01执保9999999号"),
            ("（2016）兵执异3号", 2016, "兵", .objection, 3, "（2016）兵执异3号"),
            ("（2025）军执协40号", 2025, "军", .coordination, 40, "（2025）军执协40号"),
        ])
    func valid(input: String, year: Int, court: String, type: CaseTypeCode, sequence: Int, canonical: String) throws {
        let number = try CaseNumber(parsing: input)
        #expect(number.year == year)
        #expect(number.court == Fixtures.code(court))
        #expect(number.type == type)
        #expect(number.sequence == sequence)
        #expect(number.description == canonical)
        #expect(try CaseNumber(parsing: number.description) == number)
    }

    @Test(
        "malformed case numbers are refused, naming what is wrong",
        arguments: [
            ("2026京0105执123号", "must start with （year）"),
            ("（26）京0105执123号", "year must be 4 digits"),
            ("（2015）朝执字第123号", "outside 2016-2099"),
            ("（2026京0105执123号", "closing bracket"),
            ("（2026）京0105执0号", "must not start with 0"),
            ("（2026）京0105执012号", "must not start with 0"),
            ("（2026）京0105执123", "must end with 号"),
            ("（2026）京0105执123号。", "unexpected"),
            ("（2026）京0105民初123号", "not an enforcement case-type code"),
            ("（2026）京0105123号", "0, 2 or 4 digits"),
            ("（2026）京0105执", "sequence number is missing"),
            ("（2026）京105执123号", "0, 2 or 4 digits"),
            ("（2026）X0105执123号", "not a court code prefix"),
            ("（2026）京0105执号", "sequence number is missing"),
            ("（2026）京0105执12345678号", "more than 7 digits"),
            ("", "must start with"),
        ])
    func invalid(input: String, reason: String) {
        #expect {
            try CaseNumber(parsing: input)
        } throws: { error in
            let error = error as! DomainError
            return error.code == .invalidCaseNumber && error.message.contains(reason)
                && error.message.contains("\"\(input)\"")
        }
    }
}
