import Foundation
import VidflowCore
import VidflowStore

/// A temporary directory holding a real SQLite store file.
struct StoreWorld {
    let directory: String
    let path: String
    let store: SQLiteWorkflowStore

    init() throws {
        directory = NSTemporaryDirectory() + "vidflow-store-\(UUID().uuidString.prefix(8))"
        path = directory + "/vidflow.sqlite"
        store = try SQLiteWorkflowStore(path: path)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }

    static let definition = WorkflowDefinition(
        name: "store-test",
        inputs: [InputSpec(name: "prompt", type: .string, defaultValue: "a fox")],
        stages: [StageDefinition(id: "a", uses: "noop"), StageDefinition(id: "b", uses: "noop", needs: ["a"])])

    /// A run record with its two stage rows, not yet created.
    static func run(_ id: String, status: RunStatus = .pending, base: String? = nil,
                    key: String? = nil) -> (RunRecord, [StageRecord]) {
        let run = RunRecord(id: id, definition: definition, inputs: ["prompt": "a fox"], mode: base == nil ? .full : .retry,
                            baseRunID: base, status: status, idempotencyKey: key)
        let components = CacheKeyComponents(type: "noop", version: 1, parameters: ["x": "1"], inputs: [:], upstream: [:])
        let stages = [
            StageRecord(runID: id, stageID: "a", position: 0, type: "noop", needs: [], components: components, planReason: "full run"),
            StageRecord(runID: id, stageID: "b", position: 1, type: "noop", needs: ["a"], components: nil, planReason: "full run"),
        ]
        return (run, stages)
    }

    @discardableResult
    func create(_ id: String, status: RunStatus = .pending, base: String? = nil, key: String? = nil,
                owner: String? = nil) async throws -> String {
        let (run, stages) = Self.run(id, status: status, base: base, key: key)
        return try await store.createRun(run, stages: stages, events: [], owner: owner)
    }
}
