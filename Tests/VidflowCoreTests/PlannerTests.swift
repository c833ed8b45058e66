import XCTest
@testable import VidflowCore

final class PlannerTests: XCTestCase {
    let yaml = """
        name: p
        inputs: { prompt: { type: string, default: fox }, quality: { type: string, default: medium } }
        stages:
          - { id: upload, uses: noop, with: { p: "${{ inputs.prompt }}" } }
          - { id: generate, uses: noop, with: { seed: 1 } }
          - { id: transcode, uses: noop, with: { q: "${{ inputs.quality }}" } }
          - { id: thumbnail, uses: noop }
        """

    private func components(_ definition: WorkflowDefinition, _ inputs: [String: JSONValue]) -> [String: CacheKeyComponents] {
        let resolved = (try? InputResolver.resolve(definition, given: inputs)) ?? [:]
        return CacheKeyBuilder.components(for: definition, registry: testRegistry, inputs: resolved, fileHashes: [:])
    }

    /// A base run in which every stage completed with the given definition and inputs.
    private func completedBase(_ definition: WorkflowDefinition, _ inputs: [String: JSONValue] = [:],
                               status: [String: StageStatus] = [:], unverified: Set<String> = []) -> [String: BaseStage] {
        let keys = components(definition, inputs)
        var base: [String: BaseStage] = [:]
        for stage in definition.stages {
            base[stage.id] = BaseStage(status: status[stage.id] ?? .completed, components: keys[stage.id],
                                       outputs: ["from": "base"], artifactsVerified: !unverified.contains(stage.id),
                                       origin: StageRef(runID: "run_base", stageID: stage.id))
        }
        return base
    }

    private func actions(_ plan: RunPlan) -> [String] { plan.stages.map { "\($0.stageID):\($0.action.rawValue)" } }

    func testTable() throws {
        let definition = try load(yaml)
        var edited = definition
        edited.stages[1].with["seed"] = 2
        var appended = definition
        appended.stages.append(StageDefinition(id: "publish", uses: "noop", needs: ["thumbnail"]))
        var bumped = definition
        bumped.stages[3].with["size"] = "1280x720"

        struct Case {
            let name: String
            let definition: WorkflowDefinition
            let inputs: [String: JSONValue]
            let mode: ExecutionMode
            let base: [String: BaseStage]
            let expected: [String]
            let reasonOf: (String, String)?
        }
        let cases: [Case] = [
            Case(name: "full runs everything", definition: definition, inputs: [:], mode: .full,
                 base: completedBase(definition), expected: ["upload:run", "generate:run", "transcode:run", "thumbnail:run"],
                 reasonOf: ("upload", "full run")),
            Case(name: "unchanged rerun runs nothing", definition: definition, inputs: [:], mode: .incremental,
                 base: completedBase(definition), expected: ["upload:reuse", "generate:reuse", "transcode:reuse", "thumbnail:reuse"],
                 reasonOf: ("thumbnail", "unchanged")),
            Case(name: "retry runs the failed stage and what it skipped", definition: definition, inputs: [:], mode: .retry,
                 base: completedBase(definition, status: ["transcode": .failed, "thumbnail": .skipped]),
                 expected: ["upload:reuse", "generate:reuse", "transcode:run", "thumbnail:run"],
                 reasonOf: ("transcode", "was failed in the base run")),
            Case(name: "changed input reruns the stage that uses it and downstream", definition: definition,
                 inputs: ["quality": "high"], mode: .incremental, base: completedBase(definition),
                 expected: ["upload:reuse", "generate:reuse", "transcode:run", "thumbnail:run"],
                 reasonOf: ("transcode", "input 'quality' changed (\"medium\" → \"high\")")),
            Case(name: "edited parameter says which", definition: edited, inputs: [:], mode: .incremental,
                 base: completedBase(definition), expected: ["upload:reuse", "generate:run", "transcode:run", "thumbnail:run"],
                 reasonOf: ("generate", "parameter 'seed' changed (1 → 2)")),
            Case(name: "downstream of an edit says upstream changed", definition: edited, inputs: [:], mode: .incremental,
                 base: completedBase(definition), expected: ["upload:reuse", "generate:run", "transcode:run", "thumbnail:run"],
                 reasonOf: ("transcode", "upstream 'generate' changed")),
            Case(name: "appended stage runs alone", definition: appended, inputs: [:], mode: .incremental,
                 base: completedBase(definition), expected: ["upload:reuse", "generate:reuse", "transcode:reuse", "thumbnail:reuse", "publish:run"],
                 reasonOf: ("publish", "new stage")),
            Case(name: "missing output reruns", definition: definition, inputs: [:], mode: .incremental,
                 base: completedBase(definition, unverified: ["generate"]),
                 expected: ["upload:reuse", "generate:run", "transcode:run", "thumbnail:run"],
                 reasonOf: ("generate", "output missing")),
            Case(name: "edited last stage only", definition: bumped, inputs: [:], mode: .retry,
                 base: completedBase(definition), expected: ["upload:reuse", "generate:reuse", "transcode:reuse", "thumbnail:run"],
                 reasonOf: ("thumbnail", "parameter 'size' changed (unset → \"1280x720\")")),
        ]
        for c in cases {
            let plan = RunPlanner.plan(definition: c.definition, components: components(c.definition, c.inputs),
                                       mode: c.mode, baseRunID: "run_base", base: c.base)
            XCTAssertEqual(actions(plan), c.expected, c.name)
            if let (stage, reason) = c.reasonOf {
                XCTAssertTrue(plan.stage(stage)?.reason.description.contains(reason) == true,
                              "\(c.name): \(stage) reason was '\(plan.stage(stage)?.reason.description ?? "-")'")
            }
        }
    }

    func testReuseCarriesTheOriginalOriginAndOutputs() throws {
        let definition = try load(yaml)
        var base = completedBase(definition)
        base["upload"]?.origin = StageRef(runID: "run_first", stageID: "upload")
        let plan = RunPlanner.plan(definition: definition, components: components(definition, [:]), mode: .incremental,
                                   baseRunID: "run_base", base: base)
        XCTAssertEqual(plan.stage("upload")?.reuse, StageRef(runID: "run_first", stageID: "upload"))
        XCTAssertEqual(plan.stage("upload")?.reusedOutputs, ["from": "base"])
    }

    func testAFailedStageCanAskARetryToRestartFromAnUpstreamStage() throws {
        let definition = try load(yaml)
        var base = completedBase(definition, status: ["transcode": .failed, "thumbnail": .skipped])
        base["transcode"]?.restartFrom = "generate"
        base["transcode"]?.errorMessage = "job failed at provider"
        let plan = RunPlanner.plan(definition: definition, components: components(definition, [:]), mode: .retry,
                                   baseRunID: "run_base", base: base)
        XCTAssertEqual(actions(plan), ["upload:reuse", "generate:run", "transcode:run", "thumbnail:run"])
        XCTAssertTrue(plan.stage("generate")?.reason.description.contains("asked to restart here") == true)
    }

    func testCacheKeysDependOnFileContentNotPath() throws {
        let definition = try load("""
            name: f
            inputs: { image: file }
            stages: [{ id: a, uses: noop, with: { src: "${{ inputs.image }}" } }]
            """)
        let one = CacheKeyBuilder.components(for: definition, registry: testRegistry, inputs: ["image": "/a.png"], fileHashes: ["/a.png": "aa"])
        let moved = CacheKeyBuilder.components(for: definition, registry: testRegistry, inputs: ["image": "/b.png"], fileHashes: ["/b.png": "aa"])
        let edited = CacheKeyBuilder.components(for: definition, registry: testRegistry, inputs: ["image": "/a.png"], fileHashes: ["/a.png": "bb"])
        XCTAssertEqual(one["a"]?.inputs["image"], "sha256:aa")
        XCTAssertNotEqual(one["a"]?.key, edited["a"]?.key)
        XCTAssertEqual(one["a"]?.parameters, moved["a"]?.parameters)
    }
}
