import Entrustment
import TestSupport
import Testing

@Suite("Court codes (法院代字)")
struct CourtCodeTests {
    @Test(
        "valid codes and the level their shape denotes",
        arguments: [
            ("最高法", CourtLevel.supreme, "全国"),
            ("京", .high, "北京"),
            ("内", .high, "内蒙古"),
            ("兵", .high, "新疆兵团"),
            ("军", .high, "军事法院"),
            ("京03", .intermediate, "北京"),
            ("粤07", .intermediate, "广东"),
            ("京0105", .basic, "北京"),
            ("粤0703", .basic, "广东"),
            ("沪0115", .basic, "上海"),
        ])
    func valid(text: String, level: CourtLevel, province: String) throws {
        let code = try CourtCode(text)
        #expect(code.rawValue == text)
        #expect(code.level == level)
        #expect(code.provinceName == province)
    }

    @Test(
        "invalid codes are refused with the reason",
        arguments: [
            ("", "empty"),
            ("北京", "province abbreviation"),
            ("X0105", "province abbreviation"),
            ("京1", "0, 2 or 4 digits"),
            ("京010", "0, 2 or 4 digits"),
            ("京010500", "0, 2 or 4 digits"),
            ("京０１", "only ASCII digits"),
            ("最高", "province abbreviation"),
        ])
    func invalid(text: String, reason: String) {
        #expect {
            try CourtCode(text)
        } throws: { error in
            let error = error as! DomainError
            return error.code == .invalidCourtCode && error.message.contains(reason)
        }
    }

    @Test("the superior comes from the directory, not the code")
    func superiorFromDirectory() throws {
        let directory = Fixtures.directory
        #expect(directory[Fixtures.code("京0105")]?.parent == Fixtures.code("京03"))
        #expect(
            directory.superiors(of: Fixtures.code("京0105")) == [Fixtures.code("京03"), Fixtures.code("京"), .supreme])
        #expect(directory.isSuperior(Fixtures.code("京03"), of: Fixtures.code("京0105")))
        #expect(!directory.isSuperior(Fixtures.code("京02"), of: Fixtures.code("京0105")))
    }

    @Test(
        "a directory with a broken hierarchy is refused",
        arguments: [
            ([("最高法", nil), ("京", "最高法"), ("京0105", "京")], "cannot have 京"),
            ([("最高法", nil), ("京", "最高法"), ("京03", "京"), ("京0105", "京04")], "not listed"),
            ([("最高法", nil), ("京", "最高法"), ("粤", "最高法"), ("粤01", "京")], "another province"),
            ([("京", "最高法")], "not listed"),
            ([("最高法", nil), ("京", nil)], "no superior"),
            ([("最高法", nil), ("京", "最高法"), ("京", "最高法")], "twice"),
        ] as [([(String, String?)], String)])
    func brokenDirectory(entries: [(String, String?)], reason: String) {
        let courts = entries.map {
            Court(code: Fixtures.code($0.0), name: "某法院", parent: $0.1.map { Fixtures.code($0) })
        }
        #expect {
            try CourtDirectory(courts)
        } throws: { error in
            (error as! DomainError).message.contains(reason)
        }
    }
}
