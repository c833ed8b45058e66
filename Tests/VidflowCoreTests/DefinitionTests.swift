import XCTest
@testable import VidflowCore

final class DefinitionTests: XCTestCase {
    func testParsesAFullDefinitionWithInputsDefaultsAndDag() throws {
        let definition = try load("""
            name: demo
            inputs:
              prompt: { type: string, required: true }
              seconds: { type: int, default: 4 }
              image: file
            defaults:
              retry: { max_attempts: 5, initial_interval: 200ms, max_interval: 2s }
              timeout: 1m
            stages:
              - id: a
                uses: noop
                with: { value: "${{ inputs.prompt }}" }
              - id: b
                uses: noop
                needs: []
                timeout: 30s
                retry: 2
              - id: c
                uses: noop
                needs: [a, b]
                if: inputs.seconds > 2
                with: { joined: "${{ stages.a.outputs.value }}-${{ stages.b.outputs.attempt }}" }
            """)
        XCTAssertEqual(definition.name, "demo")
        XCTAssertEqual(definition.inputs.map(\.name), ["image", "prompt", "seconds"])
        XCTAssertEqual(definition.input("image")?.type, .file)
        XCTAssertEqual(definition.defaults.retry.maxAttempts, 5)
        XCTAssertEqual(definition.defaults.retry.initialIntervalMs, 200)
        XCTAssertEqual(definition.defaults.timeoutMs, 60_000)
        XCTAssertEqual(definition.stage("a")?.needs, [])
        XCTAssertEqual(definition.stage("b")?.needs, [])
        XCTAssertEqual(definition.stage("b")?.retry?.maxAttempts, 2)
        XCTAssertEqual(definition.stage("b")?.retry?.initialIntervalMs, 200, "stage retry inherits the defaults")
        XCTAssertEqual(definition.stage("b")?.timeoutMs, 30_000)
        XCTAssertEqual(definition.stage("c")?.needs, ["a", "b"])
        XCTAssertEqual(definition.stage("c")?.condition, "inputs.seconds > 2")
    }

    func testAPlainListIsAChain() throws {
        let definition = try load("""
            name: chain
            stages:
              - { id: one, uses: noop }
              - { id: two, uses: noop }
              - { id: three, uses: noop }
            """)
        XCTAssertEqual(definition.stages.map(\.needs), [[], ["one"], ["two"]])
    }

    func testJSONIsAccepted() throws {
        let definition = try load(#"{"name": "j", "stages": [{"id": "x", "uses": "noop", "with": {"k": 1}}]}"#)
        XCTAssertEqual(definition.stage("x")?.with["k"], 1)
    }

    func testWorkflowChainShorthandWiresDefaultsAndTakesParametersUnderTheTypeName() throws {
        let definition = try load("""
            workflow_chain: [test.source, test.echo, test.echo]
            test.echo: { text: hello }
            """)
        XCTAssertEqual(definition.stages.map(\.id), ["source", "echo", "echo_2"])
        XCTAssertEqual(definition.stages.map(\.needs), [[], ["source"], ["echo"]])
        XCTAssertEqual(definition.stage("echo")?.with["text"], "hello")
    }

    func testDurations() {
        XCTAssertEqual(DefinitionParser.milliseconds("500ms"), 500)
        XCTAssertEqual(DefinitionParser.milliseconds("1m30s"), 90_000)
        XCTAssertEqual(DefinitionParser.milliseconds("2h"), 7_200_000)
        XCTAssertEqual(DefinitionParser.milliseconds(1.5), 1_500)
        XCTAssertNil(DefinitionParser.milliseconds("soon"))
        XCTAssertNil(DefinitionParser.milliseconds("10x"))
    }

    func testTemplatesKeepTypesForWholeExpressionsAndInterpolateOtherwise() throws {
        let scope = ExpressionScope(inputs: ["n": 4, "name": "fox"], outputs: ["a": ["job": "j-1"]], previousStage: "a")
        XCTAssertEqual(try Template.parse("${{ inputs.n }}").evaluate(in: scope), 4)
        XCTAssertEqual(try Template.parse("a ${{ inputs.name }} x${{inputs.n}}").evaluate(in: scope), "a fox x4")
        XCTAssertEqual(try Template.parse("${{ previous.outputs.job }}").evaluate(in: scope), "j-1")
        XCTAssertEqual(try Template.parse("${{ stages.a.outputs.job == 'j-1' && inputs.n >= 4 }}").evaluate(in: scope), true)
        XCTAssertEqual(try Template.parse("${{ !(inputs.n < 3) || false }}").evaluate(in: scope), true)
        XCTAssertThrowsError(try Template.parse("${{ inputs.n "))
        XCTAssertThrowsError(try Template.parse("${{ stages.a.job }}"))
        XCTAssertThrowsError(try Template.parse("${{ inputs.missing }}").evaluate(in: scope))
    }
}
