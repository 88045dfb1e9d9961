/// A binary min-heap under a strict ordering: O(log n) insert and remove-minimum.
struct MinHeap<Element> {
    private var items: [Element] = []
    private let precedes: (Element, Element) -> Bool

    init(_ elements: some Sequence<Element>, by precedes: @escaping (Element, Element) -> Bool) {
        self.precedes = precedes
        for element in elements { insert(element) }
    }

    var isEmpty: Bool { items.isEmpty }

    mutating func insert(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard precedes(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the least element, or `nil` when empty.
    mutating func removeMinimum() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let minimum = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var least = parent
            if left < items.count, precedes(items[left], items[least]) { least = left }
            if right < items.count, precedes(items[right], items[least]) { least = right }
            guard least != parent else { break }
            items.swapAt(parent, least)
            parent = least
        }
        return minimum
    }
}
