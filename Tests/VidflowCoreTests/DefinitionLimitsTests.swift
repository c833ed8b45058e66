import Foundation
import XCTest
@testable import VidflowCore

/// Hostile definitions are refused with a short, field-named problem, fast, and without deep recursion.
final class DefinitionLimitsTests: XCTestCase {
    private func condition(_ expression: String) -> String {
        "name: x\nstages:\n  - id: a\n    uses: noop\n    if: \"${{ \(expression) }}\"\n"
    }

    private func only(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> ValidationIssue? {
        let found = issues(yaml)
        XCTAssertEqual(found.count, 1, "\(found)", file: file, line: line)
        return found.first
    }

    func testAParenthesisBombIsRefusedNamingTheIfField() {
        let yaml = condition(String(repeating: "(", count: 50_000) + "true" + String(repeating: ")", count: 50_000))
        let issue = only(yaml)
        XCTAssertEqual(issue?.stage, "a")
        XCTAssertEqual(issue?.field, "if")
        XCTAssertEqual(issue?.message, "bad expression: operators or parentheses nest more than 64 deep")
    }

    func testANegationBombAndALongAndChainAreRefused() {
        XCTAssertEqual(only(condition(String(repeating: "!", count: 100_000) + "true"))?.field, "if")
        let chain = Array(repeating: "true", count: 50_000).joined(separator: " && ")
        XCTAssertTrue(only(condition(chain))?.message.contains("nest more than 64 deep") == true)
        let parameter = "name: x\nstages:\n  - { id: a, uses: noop, with: { x: \"${{ \(String(repeating: "!", count: 500))true }}\" } }"
        XCTAssertEqual(only(parameter)?.field, "with.x")
    }

    func testSixtyFourNestedOperatorsAreTheLimit() throws {
        let parens = { (n: Int) in String(repeating: "(", count: n) + "true" + String(repeating: ")", count: n) }
        XCTAssertNoThrow(try Expression.parse(parens(64)))
        XCTAssertThrowsError(try Expression.parse(parens(65))) { XCTAssertEqual(($0 as? ExpressionError)?.kind, .tooDeep) }
        let nots = try Expression.parse(String(repeating: "!", count: 64) + "true")
        XCTAssertEqual(try nots.evaluate(in: ExpressionScope(inputs: [:])), .bool(true))
        XCTAssertThrowsError(try Expression.parse(String(repeating: "!", count: 65) + "true"))
        let chain = Array(repeating: "inputs.a", count: 65).joined(separator: " || ")
        XCTAssertNoThrow(try Expression.parse(chain))
        XCTAssertThrowsError(try Expression.parse(chain + " || inputs.a"))
    }

    func testAnAliasBombIsRefusedInWellUnderASecond() {
        var lines = [#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (previous, name) in zip(names, names.dropFirst()) {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]")
        }
        lines.append("name: lol\nstages: [{ id: s, uses: noop }]")
        let started = Date()
        let issue = only(lines.joined(separator: "\n"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 5, "the bomb must not be expanded")
        XCTAssertEqual(issue?.field, "(document)")
        XCTAssertTrue(issue?.message.contains("aliases copy in more than 100000 nodes") == true, "\(String(describing: issue))")
    }

    func testOrdinaryAnchorsAndAliasesStillWork() throws {
        let definition = try load("""
            name: anchors
            stages:
              - { id: a, uses: noop, with: &params { v: 1, w: [x, y] } }
              - { id: b, uses: noop, with: *params }
            """)
        XCTAssertEqual(definition.stages[1].with["w"], ["x", "y"])
    }

    func testUnknownYAMLTagsAreRefusedNamingTheTag() {
        let python = only("name: x\nstages:\n  - id: a\n    uses: noop\n    with: !!python/object:os.system { x: 1 }")
        XCTAssertTrue(python?.message.contains("YAML tag '!!python/object:os.system' is not supported") == true, "\(String(describing: python))")
        let custom = only("name: x\nstages:\n  - { id: a, uses: !custom noop }")
        XCTAssertTrue(custom?.message.contains("YAML tag '!custom' is not supported") == true, "\(String(describing: custom))")
        XCTAssertNoThrow(try load("name: !!str x\nstages:\n  - { id: a, uses: noop, with: { n: !!int \"3\" } }"))
    }

    func testDeepNestingIsRefusedInYAMLAndInDecodedDocuments() throws {
        let yaml = "name: x\nstages:\n  - { id: a, uses: noop, with: { x: " + String(repeating: "[", count: 100_000)
            + String(repeating: "]", count: 100_000) + " } }"
        XCTAssertTrue(only(yaml)?.message.contains("nest more than 64 deep") == true)
        var deep: JSONValue = "leaf"
        for _ in 0..<200 { deep = .array([deep]) }
        let document: JSONValue = ["name": "x", "stages": [["id": "a", "uses": "noop", "with": ["x": deep]]]]
        XCTAssertThrowsError(try DefinitionParser.parse(document)) { error in
            let issue = (error as? DefinitionError)?.issues.first
            XCTAssertTrue(issue?.field.hasPrefix("stages[0].with.x[0][0]") == true, "\(String(describing: issue))")
            XCTAssertTrue(issue?.message.contains("nest more than 64 deep") == true)
        }
    }

    func testDefinitionsBuiltInCodeAndRunInputsKeepTheLimitsToo() {
        var deep: JSONValue = 1
        for _ in 0..<100 { deep = .array([deep]) }
        let definition = WorkflowDefinition(name: "x", inputs: [InputSpec(name: "v", type: .any)],
                                            stages: [StageDefinition(id: "a", uses: "noop", with: ["x": deep])])
        let problems = DefinitionValidator(registry: testRegistry).problems(in: definition)
        XCTAssertEqual(problems.first?.stage, "a")
        XCTAssertTrue(problems.first?.field.hasPrefix("with.x[0][0]") == true, "\(problems)")
        XCTAssertThrowsError(try InputResolver.resolve(definition, given: ["v": deep])) { error in
            let issue = (error as? DefinitionError)?.issues.first
            XCTAssertTrue(issue?.field.hasPrefix("inputs.v[0][0]") == true, "\(String(describing: issue))")
        }
    }

    func testAStringOverTheLimitIsRefusedNamingItsField() {
        let huge = String(repeating: "a", count: DefinitionLimits.maxStringBytes + 1)
        let document: JSONValue = ["name": "x", "inputs": ["p": ["type": "string", "default": .string(huge)]],
                                   "stages": [["id": "a", "uses": "noop"]]]
        XCTAssertThrowsError(try DefinitionParser.parse(document)) { error in
            let issue = (error as? DefinitionError)?.issues.first
            XCTAssertEqual(issue?.field, "inputs.p.default")
            XCTAssertTrue(issue?.message.contains("longer than the limit") == true)
        }
    }

    func testMoreStagesThanTheLimitAreRefused() {
        let stages = (0...DefinitionLimits.maxStages).map { JSONValue.object(["id": .string("s\($0)"), "uses": "noop"]) }
        XCTAssertThrowsError(try DefinitionParser.parse(["name": "x", "stages": .array(stages)])) { error in
            XCTAssertEqual((error as? DefinitionError)?.issues.map(\.field), ["stages"])
        }
    }

    func testErrorsQuoteOnlyAShortExcerptAndStopAtTheIssueLimit() {
        let long = String(repeating: "x", count: 100_000)
        let issue = only("name: x\nstages:\n  - { id: a, uses: \(long) }")
        XCTAssertLessThan(issue?.description.count ?? .max, 500)
        let many = (0..<500).map { "  - { id: s\($0), uses: nope\($0), needs: [] }" }.joined(separator: "\n")
        let found = issues("name: x\nstages:\n" + many)
        XCTAssertEqual(found.count, DefinitionLimits.maxIssues)
        let text = DefinitionError(found).description
        XCTAssertTrue(text.hasSuffix("… and \(DefinitionLimits.maxIssues - DefinitionError.maxListed) more"), text)
    }

    /// A chain at the stage limit validates, orders and plans in linear time (quadratic took minutes).
    func testATenThousandStageChainValidatesAndPlansQuickly() throws {
        let count = DefinitionLimits.maxStages
        var stages: [JSONValue] = [["id": "s0", "uses": "noop", "with": ["n": 0]]]
        for index in 1..<count {
            stages.append(["id": .string("s\(index)"), "uses": "noop",
                           "with": ["n": "${{ previous.outputs.n }}", "first": "${{ stages.s0.outputs.n }}"]])
        }
        let started = Date()
        let definition = try DefinitionParser.parse(["name": "chain", "stages": .array(stages)])
        try DefinitionValidator(registry: testRegistry).validate(definition)
        let components = CacheKeyBuilder.components(for: definition, registry: testRegistry, inputs: [:], fileHashes: [:])
        let plan = RunPlanner.plan(definition: definition, components: components, mode: .full)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(plan.stages.map(\.stageID), (0..<count).map { "s\($0)" })
        XCTAssertEqual(components["s9999"]?.upstream, ["s9998": components["s9998"]?.key ?? ""])
    }

    func testTopologicalOrderSweepsTheDefinitionAgainForStagesFreedBehindIt() {
        let definition = WorkflowDefinition(name: "x", stages: [
            StageDefinition(id: "late", uses: "noop", needs: ["z"]),
            StageDefinition(id: "y", uses: "noop"),
            StageDefinition(id: "z", uses: "noop", needs: ["y"]),
            StageDefinition(id: "w", uses: "noop", needs: ["y", "missing"]),
        ])
        XCTAssertEqual(WorkflowGraph(definition).topologicalOrder(), ["y", "z", "w", "late"])
        let reversed = WorkflowDefinition(name: "r", stages: (0..<5).map {
            StageDefinition(id: "s\($0)", uses: "noop", needs: $0 == 4 ? [] : ["s\($0 + 1)"])
        })
        XCTAssertEqual(WorkflowGraph(reversed).topologicalOrder(), ["s4", "s3", "s2", "s1", "s0"])
    }

    func testALongCycleIsFoundWithoutRecursion() {
        let count = 10_000
        let definition = WorkflowDefinition(name: "loop", stages: (0..<count).map {
            StageDefinition(id: "s\($0)", uses: "noop", needs: ["s\(($0 + 1) % count)"])
        })
        let cycle = WorkflowGraph(definition).cycle()
        XCTAssertEqual(cycle?.count, count)
        XCTAssertEqual(cycle?.first, "s0")
        let problems = DefinitionValidator(registry: testRegistry).problems(in: definition)
        XCTAssertEqual(problems.count, 1)
        XCTAssertTrue(problems.first?.message.hasPrefix("dependency cycle: s0 → s1 → ") == true, "\(problems)")
        XCTAssertLessThan(problems.first?.message.count ?? .max, 400)
    }
}
