/// The stage DAG of a definition: order, ancestors and cycle detection.
///
/// Built once per definition in O(stages + needs); every query is linear or better, and nothing
/// recurses, so a 10,000-stage chain costs what 10,000 independent stages do.
public struct WorkflowGraph: Sendable {
    /// Stage ids in definition order (duplicates, which the validator refuses, keep their first place).
    public let ids: [String]
    public let needs: [String: [String]]
    /// Definition position of each id.
    public let position: [String: Int]
    /// Stages that directly need each id, in definition order.
    private let dependentsByID: [String: [String]]

    public init(_ definition: WorkflowDefinition) {
        ids = definition.stages.map(\.id)
        needs = Dictionary(definition.stages.map { ($0.id, $0.needs) }, uniquingKeysWith: { a, _ in a })
        position = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var dependents: [String: [String]] = [:]
        for (index, id) in ids.enumerated() where position[id] == index {
            for need in Set(needs[id] ?? []) where need != id { dependents[need, default: []].append(id) }
        }
        dependentsByID = dependents
    }

    /// Stage ids so that every stage comes after its needs; stable with respect to definition order.
    ///
    /// The same order as sweeping the definition again and again, placing each stage whose needs are
    /// placed, in O((stages + needs) log stages): a sweep's cursor only moves forward, so a stage freed
    /// behind it waits for the next sweep. Needs naming no stage count as met; stages on a cycle are left out.
    public func topologicalOrder() -> [String] {
        var waiting: [String: Int] = [:]
        for (index, id) in ids.enumerated() where position[id] == index {
            waiting[id] = Set(needs[id] ?? []).filter { needs[$0] != nil }.count
        }
        var thisSweep = MinHeap<Int>()
        var nextSweep = MinHeap<Int>()
        for (index, id) in ids.enumerated() where position[id] == index && waiting[id] == 0 { thisSweep.insert(index) }
        var order: [String] = []
        order.reserveCapacity(ids.count)
        var cursor = -1
        while true {
            guard let index = thisSweep.popMin() else {
                if nextSweep.isEmpty { break }
                swap(&thisSweep, &nextSweep)
                cursor = -1
                continue
            }
            cursor = index
            let id = ids[index]
            order.append(id)
            for dependent in dependentsByID[id] ?? [] {
                guard let count = waiting[dependent] else { continue }
                waiting[dependent] = count - 1
                guard count == 1, let at = position[dependent] else { continue }
                if at > cursor { thisSweep.insert(at) } else { nextSweep.insert(at) }
            }
        }
        return order
    }

    /// One dependency cycle, if there is any (depth-first over `needs`, iteratively).
    public func cycle() -> [String]? {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        for root in ids where state[root] == nil {
            var path: [String] = [root]
            var onPath: [String: Int] = [root: 0]
            var nextNeed: [Int] = [0]
            state[root] = 1
            while let id = path.last {
                let list = needs[id] ?? []
                let cursor = nextNeed[nextNeed.count - 1]
                guard cursor < list.count else {
                    state[id] = 2
                    onPath[id] = nil
                    path.removeLast()
                    nextNeed.removeLast()
                    continue
                }
                nextNeed[nextNeed.count - 1] += 1
                let next = list[cursor]
                guard needs[next] != nil else { continue }
                if state[next] == 1, let start = onPath[next] { return Array(path[start...]) }
                if state[next] == nil {
                    state[next] = 1
                    onPath[next] = path.count
                    path.append(next)
                    nextNeed.append(0)
                }
            }
        }
        return nil
    }

    /// Every stage `id` depends on, directly or not.
    public func ancestors(of id: String) -> Set<String> {
        var result: Set<String> = []
        var work = needs[id] ?? []
        while let next = work.popLast() {
            if result.insert(next).inserted { work += needs[next] ?? [] }
        }
        return result
    }

    /// Whether `ancestor` is upstream of `id`: a direct need answers at once, else a bounded search.
    public func isAncestor(_ ancestor: String, of id: String) -> Bool {
        let direct = needs[id] ?? []
        if direct.contains(ancestor) { return true }
        guard needs[ancestor] != nil, let target = position[ancestor], let start = position[id], target < start || true else {
            return false
        }
        var seen: Set<String> = []
        var work = direct
        while let next = work.popLast() {
            if next == ancestor { return true }
            if seen.insert(next).inserted { work += needs[next] ?? [] }
        }
        return false
    }

    /// Stages that directly need `id`.
    public func dependents(of id: String) -> [String] {
        dependentsByID[id] ?? []
    }
}
