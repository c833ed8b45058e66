import XCTest
@testable import VidflowCore

final class ValidationTests: XCTestCase {
    private func assertIssue(_ yaml: String, stage: String?, field: String, contains text: String,
                             file: StaticString = #filePath, line: UInt = #line) {
        let found = issues(yaml)
        XCTAssertTrue(found.contains { $0.stage == stage && $0.field == field && $0.message.contains(text) },
                      "expected \(stage ?? "-") / \(field) / '\(text)' in \(found)", file: file, line: line)
    }

    func testUnknownStageTypeSuggestsTheClosest() {
        assertIssue("name: x\nstages:\n  - { id: a, uses: nop }", stage: "a", field: "uses", contains: "did you mean 'noop'")
    }

    func testUnknownParameter() {
        assertIssue("name: x\nstages:\n  - { id: a, uses: test.echo, with: { text: t, qualty: high } }",
                    stage: "a", field: "with.qualty", contains: "did you mean 'quality'")
    }

    func testMissingRequiredParameter() {
        assertIssue("name: x\nstages:\n  - { id: s, uses: test.source }\n  - { id: a, uses: test.echo }",
                    stage: "a", field: "with.text", contains: "required parameter")
    }

    func testWrongParameterTypeAndDisallowedValue() {
        let yaml = "name: x\nstages:\n  - { id: s, uses: test.source }\n  - { id: a, uses: test.echo, with: { text: t, count: many, quality: ultra } }"
        assertIssue(yaml, stage: "a", field: "with.count", contains: "expected int, found string")
        assertIssue(yaml, stage: "a", field: "with.quality", contains: "not allowed")
    }

    func testUnknownReferences() {
        let yaml = """
            name: x
            inputs: { prompt: string }
            stages:
              - { id: a, uses: noop, with: { v: "${{ inputs.promt }}" } }
              - { id: b, uses: noop, with: { v: "${{ stages.zz.outputs.v }}" } }
              - { id: c, uses: noop, needs: [a], with: { v: "${{ stages.a.outputs.nothing }}" } }
            """
        assertIssue(yaml, stage: "a", field: "with.v", contains: "unknown input 'promt' (did you mean 'prompt'?)")
        assertIssue(yaml, stage: "b", field: "with.v", contains: "unknown stage 'zz'")
        assertIssue(yaml, stage: "c", field: "with.v", contains: "has no output 'nothing'")
    }

    func testReferenceToAStageThatIsNotUpstream() {
        let yaml = """
            name: x
            stages:
              - { id: a, uses: noop, with: { v: "${{ stages.b.outputs.v }}" } }
              - { id: b, uses: noop, needs: [], with: { v: 1 } }
            """
        assertIssue(yaml, stage: "a", field: "with.v", contains: "not upstream")
    }

    func testChainDefaultReferenceNeedsAMatchingPreviousOutput() {
        assertIssue("name: x\nstages:\n  - { id: a, uses: noop }\n  - { id: b, uses: test.echo, with: { text: t } }",
                    stage: "b", field: "with.job_id (default)", contains: "has no output 'job_id'")
        XCTAssertEqual(issues("name: x\nstages:\n  - { id: a, uses: test.source }\n  - { id: b, uses: test.echo, with: { text: t } }"), [])
    }

    func testCycleAndUnknownNeedAndDuplicateId() {
        assertIssue("name: x\nstages:\n  - { id: a, uses: noop, needs: b }\n  - { id: b, uses: noop, needs: a }",
                    stage: "a", field: "needs", contains: "dependency cycle")
        assertIssue("name: x\nstages:\n  - { id: a, uses: noop, needs: [zz] }", stage: "a", field: "needs", contains: "unknown stage 'zz'")
        assertIssue("name: x\nstages:\n  - { id: a, uses: noop }\n  - { id: a, uses: noop }", stage: "a", field: "id", contains: "duplicate")
    }

    func testStructuralProblemsAreAllListedWithTheFileName() {
        let found = issues("""
            nmae: x
            stages:
              - { uses: noop, retry: { max_attempts: 0 }, timeout: soon, colour: red }
            """)
        XCTAssertTrue(found.contains { $0.field == "nmae" && $0.message.contains("did you mean 'name'") })
        XCTAssertTrue(found.contains { $0.field == "name" && $0.message.contains("required") })
        XCTAssertTrue(found.contains { $0.field == "stages[0].id" })
        XCTAssertTrue(found.contains { $0.field == "retry.max_attempts" })
        XCTAssertTrue(found.contains { $0.field == "timeout" && $0.message.contains("not a duration") })
        XCTAssertTrue(found.contains { $0.field == "colour" })
        XCTAssertTrue(found.allSatisfy { $0.file == "wf.yaml" })
        XCTAssertTrue(DefinitionError(found).description.contains("wf.yaml"))
    }

    func testNotYAMLAndNotAMapping() {
        assertIssue("name: [unclosed", stage: nil, field: "(document)", contains: "not valid YAML")
        assertIssue("- just\n- a list", stage: nil, field: "(document)", contains: "must be a mapping")
    }

    func testBadConditionExpression() {
        assertIssue("name: x\nstages:\n  - { id: a, uses: noop, if: 'inputs.x ==' }", stage: "a", field: "if", contains: "bad expression")
    }

    func testInputsAreCheckedAndDefaulted() throws {
        let definition = try load("""
            name: x
            inputs:
              prompt: { type: string, required: true }
              seconds: { type: int, default: 4 }
              loud: bool
            stages: [{ id: a, uses: noop }]
            """)
        XCTAssertEqual(try InputResolver.resolve(definition, given: ["prompt": "p"]), ["prompt": "p", "seconds": 4, "loud": .null])
        XCTAssertThrowsError(try InputResolver.resolve(definition, given: ["seconds": "four", "extra": 1])) { error in
            let issues = (error as? DefinitionError)?.issues ?? []
            XCTAssertEqual(Set(issues.map(\.field)), ["inputs.prompt", "inputs.seconds", "inputs.extra"])
        }
        XCTAssertEqual(try InputResolver.parseAssignments(["seconds=8", "prompt=a=b", "loud=yes"], for: definition),
                       ["seconds": 8, "prompt": "a=b", "loud": true])
        XCTAssertThrowsError(try InputResolver.parseAssignments(["seconds=eight"], for: definition))
        XCTAssertThrowsError(try InputResolver.parseAssignments(["novalue"], for: definition))
    }
}
