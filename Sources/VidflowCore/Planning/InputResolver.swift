/// Checks run inputs against a definition's declared inputs and fills in defaults.
public enum InputResolver {
    /// The full input set for a run, or every problem with the given inputs.
    public static func resolve(_ definition: WorkflowDefinition, given: [String: JSONValue],
                               file: String? = nil) throws(DefinitionError) -> [String: JSONValue] {
        var issues: [ValidationIssue] = []
        var resolved: [String: JSONValue] = [:]
        let declared = definition.inputsByName
        for name in given.keys.sorted() where declared[name] == nil {
            issues.append(ValidationIssue(file: file, field: "inputs.\(name)", message: "unknown input"
                + Spelling.suggestion(for: name, among: definition.inputs.map(\.name))))
        }
        for spec in definition.inputs {
            if let value = given[spec.name], !value.isNull {
                if let problem = DocumentCheck.problem(in: value, root: "inputs.\(spec.name)") {
                    issues.append(ValidationIssue(file: file, field: problem.field, message: problem.message))
                } else if spec.type.accepts(value) {
                    resolved[spec.name] = spec.type == .int ? value.intValue.map(JSONValue.int) ?? value : value
                } else {
                    issues.append(ValidationIssue(file: file, field: "inputs.\(spec.name)",
                                                  message: "expected \(spec.type.rawValue), found \(value.typeName)"))
                }
            } else if let value = spec.defaultValue {
                resolved[spec.name] = value
            } else if spec.required {
                issues.append(ValidationIssue(file: file, field: "inputs.\(spec.name)", message: "required input is missing"))
            } else {
                resolved[spec.name] = .null
            }
        }
        if !issues.isEmpty { throw DefinitionError(Array(issues.prefix(DefinitionLimits.maxIssues))) }
        return resolved
    }

    /// Parses `key=value` pairs from a command line, typed by the declared inputs.
    public static func parseAssignments(_ pairs: [String], for definition: WorkflowDefinition)
        throws(DefinitionError) -> [String: JSONValue]
    {
        var values: [String: JSONValue] = [:]
        var issues: [ValidationIssue] = []
        let declared = definition.inputsByName
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                issues.append(ValidationIssue(field: "--input", message: "'\(DefinitionLimits.excerpt(pair))' is not key=value"))
                continue
            }
            let key = String(pair[..<equals])
            let text = String(pair[pair.index(after: equals)...])
            let type = declared[key]?.type ?? .string
            guard let value = type.coerce(text) else {
                issues.append(ValidationIssue(field: "inputs.\(key)", message: "'\(DefinitionLimits.excerpt(text))' is not a valid \(type.rawValue)"))
                continue
            }
            values[key] = value
        }
        if !issues.isEmpty { throw DefinitionError(issues) }
        return values
    }
}

/// Applies a stage type's parameter defaults and resolves templates for execution.
public enum ParameterResolver {
    /// The stage's parameters as written, with the type's defaults for those left out.
    public static func effective(_ stage: StageDefinition, schema: StageSchema) -> [String: JSONValue] {
        var parameters = stage.with
        for spec in schema.parameters where parameters[spec.name] == nil {
            // Chain wiring (`ParameterSpec.wiredWith`) is off where the definition sets the parameter it goes with.
            if let wire = spec.wiredWith, stage.with[wire] != nil { continue }
            if let value = spec.defaultValue { parameters[spec.name] = value }
        }
        return parameters
    }

    /// Effective parameters with every `${{ … }}` evaluated against inputs and upstream outputs.
    public static func resolve(_ stage: StageDefinition, schema: StageSchema,
                               scope: ExpressionScope) throws(StageFailure) -> [String: JSONValue] {
        var resolved: [String: JSONValue] = [:]
        for (name, value) in effective(stage, schema: schema) {
            do {
                resolved[name] = try value.resolvingTemplates(in: scope)
            } catch where stage.with[name] == nil && schema.parameter(name)?.wiredWith != nil {
                continue   // a default that applies only where its reference resolves
            } catch {
                throw StageFailure(.invalidInput, "parameter '\(DefinitionLimits.excerpt(name))': \(error.message)")
            }
            if let spec = schema.parameter(name), let value = resolved[name], !value.isNull, !spec.type.accepts(value) {
                throw StageFailure(.invalidInput, "parameter '\(DefinitionLimits.excerpt(name))': expected \(spec.type.rawValue), got \(value.typeName)")
            }
        }
        return resolved
    }
}
