/// The court directory: every court a node knows, with its superior.
///
/// Built from `Nodes/courts.json` (see `docs/data-files.md`). The directory is checked as a
/// whole: codes unique, exactly one Supreme People's Court, every other court's parent present
/// and exactly one level above it.
public struct CourtDirectory: Sendable {
    private let courts: [CourtCode: Court]

    /// Every court, ordered by level then code.
    public var all: [Court] { courts.values.sorted { $0.code < $1.code } }

    /// Checks and indexes a list of courts.
    public init(_ list: [Court]) throws(DomainError) {
        var byCode: [CourtCode: Court] = [:]
        for court in list {
            guard byCode[court.code] == nil else {
                throw DomainError(.invalidDirectory, "court directory lists \(court.code) twice")
            }
            guard !court.name.isEmpty, court.name.count <= 64 else {
                throw DomainError(.invalidDirectory, "court \(court.code) has an empty or overlong name")
            }
            byCode[court.code] = court
        }
        for court in list {
            switch (court.level, court.parent) {
            case (.supreme, nil):
                continue
            case (.supreme, .some):
                throw DomainError(.invalidDirectory, "the Supreme People's Court cannot have a superior")
            case (_, nil):
                throw DomainError(.invalidDirectory, "court \(court.code) has no superior court")
            case (let level, .some(let parent)):
                guard let superior = byCode[parent] else {
                    throw DomainError(
                        .invalidDirectory, "court \(court.code) names superior \(parent), which is not listed")
                }
                let expected: CourtLevel =
                    switch level {
                    case .high: .supreme
                    case .intermediate: .high
                    default: .intermediate
                    }
                guard superior.level == expected else {
                    throw DomainError(
                        .invalidDirectory,
                        "court \(court.code) (\(level.rawValue)) cannot have \(parent) (\(superior.level.rawValue)) as superior"
                    )
                }
                if level != .high, court.code.provincePrefix != parent.provincePrefix {
                    throw DomainError(
                        .invalidDirectory, "court \(court.code) has a superior in another province: \(parent)")
                }
            }
        }
        guard byCode[.supreme] != nil else {
            throw DomainError(.invalidDirectory, "court directory has no 最高法")
        }
        courts = byCode
    }

    /// The court with that code, if listed.
    public subscript(code: CourtCode) -> Court? { courts[code] }

    /// The court with that code, or an error naming the unknown code.
    public func court(_ code: CourtCode) throws(DomainError) -> Court {
        guard let court = courts[code] else {
            throw DomainError(.unknownCourt, "unknown court \(code): not in the court directory")
        }
        return court
    }

    /// Whether the directory lists that code.
    public func contains(_ code: CourtCode) -> Bool { courts[code] != nil }

    /// The chain of superiors of a court, nearest first (`京03`, `京`, `最高法` for `京0105`).
    public func superiors(of code: CourtCode) -> [CourtCode] {
        var chain: [CourtCode] = []
        var current = courts[code]?.parent
        while let parent = current {
            chain.append(parent)
            current = courts[parent]?.parent
        }
        return chain
    }

    /// Whether `candidate` is a superior (at any distance) of `court`.
    public func isSuperior(_ candidate: CourtCode, of court: CourtCode) -> Bool {
        superiors(of: court).contains(candidate)
    }

    /// The court and every court below it (at any distance): the courts whose matters it may see
    /// as a party or a superior. Ordered by code.
    public func jurisdiction(of code: CourtCode) -> [CourtCode] {
        courts.keys.filter { $0 == code || isSuperior(code, of: $0) }.sorted()
    }

    /// The number of courts.
    public var count: Int { courts.count }
}
