/// Checks a parsed definition against the stage registry: types, parameters, references, the DAG.
///
/// Every problem is reported with its stage and field; nothing runs until the list is empty.
public struct DefinitionValidator: Sendable {
    public var registry: StageRegistry

    public init(registry: StageRegistry) { self.registry = registry }

    /// Parses and validates in one go: what every entry point calls.
    public func load(_ text: String, file: String? = nil) throws(DefinitionError) -> WorkflowDefinition {
        let definition = try DefinitionParser.parse(text, file: file)
        try validate(definition, file: file)
        return definition
    }

    public func validate(_ definition: WorkflowDefinition, file: String? = nil) throws(DefinitionError) {
        let issues = problems(in: definition, file: file)
        if !issues.isEmpty { throw DefinitionError(issues) }
    }

    public func problems(in definition: WorkflowDefinition, file: String? = nil) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func issue(_ stage: String?, _ field: String, _ message: String) {
            issues.append(ValidationIssue(file: file, stage: stage, field: field, message: message))
        }
        var seen: Set<String> = []
        for stage in definition.stages {
            if !stage.id.isEmpty && !Self.isIdentifier(stage.id) {
                issue(stage.id, "id", "must start with a letter or '_' and hold only letters, digits, '_' and '-'")
            }
            if !seen.insert(stage.id).inserted { issue(stage.id, "id", "duplicate stage id") }
        }
        let ids = Set(definition.stages.map(\.id))
        for stage in definition.stages {
            for need in stage.needs where !ids.contains(need) {
                issue(stage.id, "needs", "unknown stage '\(need)'" + Spelling.suggestion(for: need, among: ids))
            }
            if stage.needs.contains(stage.id) { issue(stage.id, "needs", "a stage cannot need itself") }
        }
        if let cycle = WorkflowGraph(definition).cycle() {
            issue(cycle.first, "needs", "dependency cycle: " + (cycle + [cycle[0]]).joined(separator: " → "))
            return issues
        }
        let graph = WorkflowGraph(definition)
        for stage in definition.stages {
            issues += stageProblems(stage, in: definition, graph: graph, file: file)
        }
        return issues
    }

    private func stageProblems(_ stage: StageDefinition, in definition: WorkflowDefinition, graph: WorkflowGraph,
                               file: String?) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func issue(_ field: String, _ message: String) {
            issues.append(ValidationIssue(file: file, stage: stage.id, field: field, message: message))
        }
        guard let type = registry.stage(stage.uses) else {
            if !stage.uses.isEmpty {
                issue("uses", "unknown stage type '\(stage.uses)'" + Spelling.suggestion(for: stage.uses, among: registry.typeNames))
            }
            return issues
        }
        let schema = type.schema
        for (name, value) in stage.with.sorted(by: { $0.key < $1.key }) {
            guard let spec = schema.parameter(name) else {
                if !schema.allowsAdditionalParameters {
                    issue("with.\(name)", "unknown parameter for '\(stage.uses)'"
                          + Spelling.suggestion(for: name, among: schema.parameters.map(\.name)))
                }
                continue
            }
            if value.hasTemplates { continue }
            if !spec.type.accepts(value) {
                issue("with.\(name)", "expected \(spec.type.rawValue), found \(value.typeName)")
            } else if let allowed = spec.allowed, !allowed.contains(where: { $0.looselyEquals(value) }) {
                issue("with.\(name)", "'\(value.interpolated)' is not allowed (one of: \(allowed.map(\.interpolated).joined(separator: ", ")))")
            }
        }
        for spec in schema.parameters where spec.required && stage.with[spec.name] == nil && spec.defaultValue == nil {
            issue("with.\(spec.name)", "required parameter of '\(stage.uses)' is missing")
        }
        let upstream = graph.ancestors(of: stage.id)
        var checks: [(field: String, value: JSONValue)] = stage.with.map { ("with.\($0.key)", $0.value) }
        for spec in schema.parameters where stage.with[spec.name] == nil {
            if let value = spec.defaultValue, value.hasTemplates { checks.append(("with.\(spec.name) (default)", value)) }
        }
        if let condition = stage.condition { checks.append(("if", .string(Self.conditionTemplate(condition)))) }
        for (field, value) in checks.sorted(by: { $0.field < $1.field }) {
            do {
                for reference in try value.templateReferences() {
                    if let message = referenceProblem(reference, stage: stage, upstream: upstream, in: definition) {
                        issue(field, message)
                    }
                }
            } catch {
                issue(field, "bad expression: \(error.message)")
            }
        }
        return issues
    }

    private func referenceProblem(_ reference: Reference, stage: StageDefinition, upstream: Set<String>,
                                  in definition: WorkflowDefinition) -> String? {
        switch reference {
        case .input(let name):
            guard definition.input(name) != nil else {
                return "unknown input '\(name)'" + Spelling.suggestion(for: name, among: definition.inputs.map(\.name))
            }
            return nil
        case .previousOutput(let output):
            guard stage.needs.count == 1 else {
                return "'previous.outputs.\(output)' needs exactly one upstream stage, '\(stage.id)' has \(stage.needs.count)"
            }
            return outputProblem(stage: stage.needs[0], output: output, in: definition)
        case .stageOutput(let other, let output):
            guard let target = definition.stage(other) else {
                return "unknown stage '\(other)' in reference" + Spelling.suggestion(for: other, among: definition.stages.map(\.id))
            }
            guard upstream.contains(target.id) else {
                return "stage '\(other)' is not upstream of '\(stage.id)': add it to 'needs' to use its outputs"
            }
            return outputProblem(stage: other, output: output, in: definition)
        }
    }

    private func outputProblem(stage id: String, output: String, in definition: WorkflowDefinition) -> String? {
        guard let target = definition.stage(id), let type = registry.stage(target.uses) else { return nil }
        let names = type.schema.outputNames(for: target.with)
        guard names.contains(output) else {
            return "stage '\(id)' (\(target.uses)) has no output '\(output)'" + Spelling.suggestion(for: output, among: names)
        }
        return nil
    }

    /// `if:` accepts a bare expression or one wrapped in `${{ }}`.
    public static func conditionTemplate(_ condition: String) -> String {
        condition.contains("${{") ? condition : "${{ \(condition) }}"
    }

    static func isIdentifier(_ id: String) -> Bool {
        guard let first = id.first, first.isLetter || first == "_" else { return false }
        return id.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }
}
