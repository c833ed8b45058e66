/// The stage DAG of a definition: order, ancestors and cycle detection.
public struct WorkflowGraph: Sendable {
    public let ids: [String]
    public let needs: [String: [String]]

    public init(_ definition: WorkflowDefinition) {
        ids = definition.stages.map(\.id)
        needs = Dictionary(definition.stages.map { ($0.id, $0.needs) }, uniquingKeysWith: { a, _ in a })
    }

    /// Stage ids so that every stage comes after its needs; stable with respect to definition order.
    public func topologicalOrder() -> [String] {
        var placed: Set<String> = []
        var order: [String] = []
        var progress = true
        while order.count < ids.count && progress {
            progress = false
            for id in ids where !placed.contains(id) && (needs[id] ?? []).allSatisfy({ placed.contains($0) || needs[$0] == nil }) {
                placed.insert(id)
                order.append(id)
                progress = true
            }
        }
        return order
    }

    /// One dependency cycle, if there is any.
    public func cycle() -> [String]? {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var stack: [String] = []
        func visit(_ id: String) -> [String]? {
            state[id] = 1
            stack.append(id)
            for next in needs[id] ?? [] where needs[next] != nil {
                if state[next] == 1, let start = stack.firstIndex(of: next) { return Array(stack[start...]) }
                if state[next] == nil, let found = visit(next) { return found }
            }
            stack.removeLast()
            state[id] = 2
            return nil
        }
        for id in ids where state[id] == nil {
            if let found = visit(id) { return found }
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

    /// Stages that directly need `id`.
    public func dependents(of id: String) -> [String] {
        ids.filter { (needs[$0] ?? []).contains(id) }
    }
}
