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
        // Definitions built in code or stored by an older version never went through the parser's checks.
        guard definition.stages.count <= DefinitionLimits.maxStages else {
            issue(nil, "stages", "\(definition.stages.count) stages, more than the limit of \(DefinitionLimits.maxStages)")
            return issues
        }
        for input in definition.inputs {
            if let value = input.defaultValue, let problem = DocumentCheck.problem(in: value, root: "inputs.\(input.name).default") {
                issue(nil, problem.field, problem.message)
            }
        }
        for stage in definition.stages where issues.count < DefinitionLimits.maxIssues {
            if let problem = DocumentCheck.problem(in: .object(stage.with), root: "with") { issue(stage.id, problem.field, problem.message) }
        }
        var seen: Set<String> = []
        for stage in definition.stages where issues.count < DefinitionLimits.maxIssues {
            if !stage.id.isEmpty && !Self.isIdentifier(stage.id) {
                issue(stage.id, "id", "must start with a letter or '_' and hold only letters, digits, '_' and '-'")
            }
            if !seen.insert(stage.id).inserted { issue(stage.id, "id", "duplicate stage id") }
        }
        let ids = Set(definition.stages.map(\.id))
        for stage in definition.stages where issues.count < DefinitionLimits.maxIssues {
            for need in stage.needs where !ids.contains(need) && issues.count < DefinitionLimits.maxIssues {
                issue(stage.id, "needs", "unknown stage '\(DefinitionLimits.excerpt(need))'" + Spelling.suggestion(for: need, among: ids))
            }
            if stage.needs.contains(stage.id) { issue(stage.id, "needs", "a stage cannot need itself") }
        }
        guard issues.count < DefinitionLimits.maxIssues else { return issues }
        let graph = WorkflowGraph(definition)
        if let cycle = graph.cycle() {
            let shown = cycle.count > 10 ? Array(cycle.prefix(10)) + ["… \(cycle.count - 10) more"] : cycle
            issue(cycle.first, "needs", "dependency cycle: " + (shown + [cycle[0]]).joined(separator: " → "))
            return issues
        }
        let lookup = Lookup(definition: definition, graph: graph)
        for stage in definition.stages where issues.count < DefinitionLimits.maxIssues {
            issues += stageProblems(stage, lookup: lookup, file: file)
        }
        return Array(issues.prefix(DefinitionLimits.maxIssues))
    }

    /// Stages and inputs by name, and upstream checks, built once per validation.
    private final class Lookup {
        let definition: WorkflowDefinition
        let graph: WorkflowGraph
        let stages: [String: StageDefinition]
        let inputs: [String: InputSpec]
        private var table: AncestorTable?

        init(definition: WorkflowDefinition, graph: WorkflowGraph) {
            self.definition = definition
            self.graph = graph
            stages = Dictionary(definition.stages.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            inputs = Dictionary(definition.inputs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        }

        /// Direct needs answer at once; anything else builds the ancestor table (once).
        func isUpstream(_ ancestor: String, of stage: StageDefinition) -> Bool {
            if stage.needs.contains(ancestor) { return true }
            if table == nil { table = AncestorTable(graph) }
            return table?.isAncestor(ancestor, of: stage.id) ?? false
        }
    }

    private func stageProblems(_ stage: StageDefinition, lookup: Lookup, file: String?) -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func issue(_ field: String, _ message: String) {
            issues.append(ValidationIssue(file: file, stage: stage.id, field: field, message: message))
        }
        guard let type = registry.stage(stage.uses) else {
            if !stage.uses.isEmpty {
                issue("uses", "unknown stage type '\(DefinitionLimits.excerpt(stage.uses))'" + Spelling.suggestion(for: stage.uses, among: registry.typeNames))
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
                issue("with.\(name)", "'\(DefinitionLimits.excerpt(value.interpolated))' is not allowed (one of: \(allowed.map(\.interpolated).joined(separator: ", ")))")
            }
        }
        for spec in schema.parameters where spec.required && stage.with[spec.name] == nil && spec.defaultValue == nil {
            issue("with.\(spec.name)", "required parameter of '\(stage.uses)' is missing")
        }
        var checks: [(field: String, value: JSONValue)] = stage.with.map { ("with.\($0.key)", $0.value) }
        for spec in schema.parameters where stage.with[spec.name] == nil {
            guard let value = spec.defaultValue, value.hasTemplates else { continue }
            if spec.wiredWith != nil { continue }   // left out where it cannot be resolved (see ParameterSpec.wiredWith)
            checks.append(("with.\(spec.name) (default)", value))
        }
        if let condition = stage.condition { checks.append(("if", .string(Self.conditionTemplate(condition)))) }
        for (field, value) in checks.sorted(by: { $0.field < $1.field }) {
            do {
                for reference in try value.templateReferences() {
                    if let message = referenceProblem(reference, stage: stage, lookup: lookup) {
                        issue(field, message)
                    }
                }
            } catch {
                issue(field, "bad expression: \(error.message)")
            }
        }
        return issues
    }

    private func referenceProblem(_ reference: Reference, stage: StageDefinition, lookup: Lookup) -> String? {
        let definition = lookup.definition
        switch reference {
        case .input(let name):
            guard lookup.inputs[name] != nil else {
                return "unknown input '\(DefinitionLimits.excerpt(name))'" + Spelling.suggestion(for: name, among: definition.inputs.map(\.name))
            }
            return nil
        case .previousOutput(let output):
            guard stage.needs.count == 1 else {
                return "'previous.outputs.\(output)' needs exactly one upstream stage, '\(stage.id)' has \(stage.needs.count)"
            }
            return outputProblem(stage: stage.needs[0], output: output, lookup: lookup)
        case .stageOutput(let other, let output):
            guard let target = lookup.stages[other] else {
                return "unknown stage '\(DefinitionLimits.excerpt(other))' in reference" + Spelling.suggestion(for: other, among: definition.stages.map(\.id))
            }
            guard lookup.isUpstream(target.id, of: stage) else {
                return "stage '\(other)' is not upstream of '\(stage.id)': add it to 'needs' to use its outputs"
            }
            return outputProblem(stage: other, output: output, lookup: lookup)
        }
    }

    private func outputProblem(stage id: String, output: String, lookup: Lookup) -> String? {
        guard let target = lookup.stages[id], let type = registry.stage(target.uses) else { return nil }
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
