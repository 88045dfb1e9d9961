import Entrustment

/// Which courts of the shipped directory make up a demo or benchmark network of a given size:
/// a few high courts, an intermediate court under each where room allows, and basic courts
/// spread over the same provinces, so that both same-province and cross-province work arises.
public enum NetworkShape {
    /// `count` courts besides the hub (at least 2), chosen deterministically from `directory`.
    /// Provinces with the most basic courts come first.
    public static func courts(count: Int, from directory: CourtDirectory) throws(DomainError) -> [CourtCode] {
        guard count >= 2 else {
            throw DomainError(.invalidField, "a network needs at least 2 courts besides the hub, not \(count)")
        }
        let all = directory.all.map(\.code)
        let highs = all.filter { $0.level == .high }
        func basics(under high: CourtCode) -> [CourtCode] {
            all.filter { $0.level == .basic && $0.provincePrefix == high.provincePrefix }
        }
        let provinces = highs.filter { !basics(under: $0).isEmpty }
            .sorted { (basics(under: $0).count, $1.rawValue) > (basics(under: $1).count, $0.rawValue) }
        let available = provinces.reduce(0) { total, high in
            total + 1 + all.filter { $0.provincePrefix == high.provincePrefix && $0.level != .high }.count
        }
        guard count <= available else {
            throw DomainError(
                .invalidField, "the court directory has room for \(available) courts in a demo network, not \(count)")
        }
        let provinceCount = min(provinces.count, (count + 3) / 4)
        let chosenProvinces = Array(provinces.prefix(provinceCount))
        let intermediateCount = min(provinceCount, (count - provinceCount) / 4)
        var chosen = chosenProvinces
        var pools: [[CourtCode]] = []
        for (position, high) in chosenProvinces.enumerated() {
            let intermediates = all.filter {
                $0.level == .intermediate && $0.provincePrefix == high.provincePrefix
            }
            let lead = intermediates.max { a, b in
                (childCount(a, in: directory), b.rawValue) < (childCount(b, in: directory), a.rawValue)
            }
            if position < intermediateCount, let lead { chosen.append(lead) }
            let underLead = basics(under: high).filter { directory[$0]?.parent == lead }
            let others = basics(under: high).filter { directory[$0]?.parent != lead }
            let rest = intermediates.filter { !chosen.contains($0) }
            pools.append(underLead + others + rest)
        }
        var round = 0
        while chosen.count < count {
            let pool = pools[round % pools.count]
            if let next = pool.first(where: { !chosen.contains($0) }) {
                chosen.append(next)
            } else if pools.allSatisfy({ $0.allSatisfy(chosen.contains) }) {
                // The chosen provinces are used up: take the next province's courts.
                let more = provinces.dropFirst(pools.count).first!
                chosen.append(more)
                pools.append(all.filter { $0.provincePrefix == more.provincePrefix && $0.level != .high })
            }
            round += 1
        }
        return chosen
    }

    private static func childCount(_ court: CourtCode, in directory: CourtDirectory) -> Int {
        directory.all.filter { $0.parent == court }.count
    }
}
