/// Which stages are upstream of which, answered in O(1) after one pass over the DAG.
///
/// One bit set per stage (n²/8 bytes: 12.5 MB for the 10,000-stage limit), filled in topological
/// order, so checking every `stages.X.outputs.Y` reference of a long chain stays linear in practice.
/// ```swift
/// let table = AncestorTable(graph)
/// table.isAncestor("upload", of: "render") // true when render needs upload, directly or not
/// ```
struct AncestorTable {
    private let position: [String: Int]
    private let words: Int
    private var bits: [UInt64]

    init(_ graph: WorkflowGraph) {
        position = graph.position
        let count = graph.ids.count
        words = (count + 63) / 64
        bits = Array(repeating: 0, count: count * words)
        for id in graph.topologicalOrder() {
            guard let row = position[id] else { continue }
            for need in graph.needs[id] ?? [] {
                guard let from = position[need], from != row else { continue }
                bits[row * words + from / 64] |= 1 << UInt64(from % 64)
                for word in 0..<words { bits[row * words + word] |= bits[from * words + word] }
            }
        }
    }

    func isAncestor(_ ancestor: String, of id: String) -> Bool {
        guard let row = position[id], let column = position[ancestor] else { return false }
        return bits[row * words + column / 64] & (1 << UInt64(column % 64)) != 0
    }
}
