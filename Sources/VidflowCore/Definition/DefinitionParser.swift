import Foundation
import Yams

/// Turns YAML or JSON text into a `WorkflowDefinition`, collecting every structural problem.
///
/// ```swift
/// let definition = try DefinitionParser.parse(text, file: "workflows/demo.yaml")
/// ```
/// Semantic checks (stage types, references, cycles) are `DefinitionValidator`'s job.
public enum DefinitionParser {
    static let topLevelKeys: Set<String> = ["name", "description", "inputs", "defaults", "stages", "workflow_chain", "version"]
    static let stageKeys: Set<String> = ["id", "uses", "with", "needs", "retry", "timeout", "if", "pool", "name", "description"]

    /// Parses YAML (a superset of JSON) text.
    ///
    /// Refused before any tree is built: text over `maxDocumentBytes`, aliases expanding past
    /// `maxYAMLNodes`, nesting past `maxNestingDepth` and tags outside YAML's core schema.
    public static func parse(_ text: String, file: String? = nil) throws(DefinitionError) -> WorkflowDefinition {
        func refuse(_ message: String) -> DefinitionError {
            DefinitionError([ValidationIssue(file: file, field: "(document)", message: message)])
        }
        let size = text.utf8.count
        guard size <= DefinitionLimits.maxDocumentBytes else {
            throw refuse("the document is \(size) bytes, more than the limit of \(DefinitionLimits.maxDocumentBytes)")
        }
        if let problem = YAMLBudget.problem(in: text) { throw refuse(problem) }
        let document: JSONValue
        do {
            let resolver = Resolver.default.removing(.timestamp)
            document = JSONValue(any: try Yams.load(yaml: text, resolver))
        } catch {
            throw refuse("not valid YAML or JSON: " + Self.summary(of: error))
        }
        return try parse(document, file: file)
    }

    /// A YAML error in one short line: where and what, without the quoted input Yams appends.
    static func summary(of error: any Error) -> String {
        func located(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> String {
            let during = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return "line \(mark.line), column \(mark.column): \(problem)" + during
        }
        let text: String
        switch error {
        case YamlError.scanner(let context, let problem, let mark, _),
             YamlError.parser(let context, let problem, let mark, _),
             YamlError.composer(let context, let problem, let mark, _):
            text = located(context, problem, mark)
        case YamlError.reader(let problem, _, _, _):
            text = problem
        case YamlError.duplicatedKeysInMapping(let duplicates, let context):
            text = "line \(context.mark.line): duplicate keys " + duplicates.map { "'\(DefinitionLimits.excerpt($0))'" }.joined(separator: ", ")
        default:
            text = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        }
        return DefinitionLimits.excerpt(text, limit: 200)
    }

    /// Parses an already decoded document (e.g. the `definition` object of an HTTP request).
    public static func parse(_ document: JSONValue, file: String? = nil) throws(DefinitionError) -> WorkflowDefinition {
        if let problem = DocumentCheck.problem(in: document) {
            throw DefinitionError([ValidationIssue(file: file, field: problem.field, message: problem.message)])
        }
        var reader = Reader(file: file)
        let definition = reader.definition(document)
        guard reader.issues.isEmpty, let definition else {
            throw DefinitionError(reader.issues.isEmpty
                ? [ValidationIssue(file: file, field: "(document)", message: "empty definition")] : reader.issues)
        }
        return definition
    }

    /// Parses a duration: a number of seconds, or text like `500ms`, `30s`, `10m`, `1h`, `1m30s`.
    public static func milliseconds(_ value: JSONValue) -> Int? {
        if let seconds = value.doubleValue { return seconds >= 0 ? Int(seconds * 1000) : nil }
        guard let text = value.stringValue?.trimmingCharacters(in: .whitespaces).lowercased(), !text.isEmpty else { return nil }
        var total = 0.0
        var number = ""
        var unit = ""
        func flush() -> Bool {
            guard let n = Double(number) else { return false }
            let factor: Double? = ["ms": 1, "s": 1000, "": 1000, "m": 60_000, "h": 3_600_000][unit]
            guard let factor else { return false }
            total += n * factor
            number = ""; unit = ""
            return true
        }
        for c in text {
            if c.isNumber || c == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(c)
            } else if c.isLetter {
                unit.append(c)
            } else {
                return nil
            }
        }
        guard flush() else { return nil }
        return Int(total)
    }
}

/// Walks a decoded document, recording issues instead of stopping at the first.
struct Reader {
    let file: String?
    var issues: [ValidationIssue] = []

    /// Records a problem; past `DefinitionLimits.maxIssues` the rest are dropped.
    mutating func issue(_ field: String, _ message: String, stage: String? = nil) {
        guard issues.count < DefinitionLimits.maxIssues else { return }
        issues.append(ValidationIssue(file: file, stage: stage, field: field, message: message))
    }

    mutating func definition(_ document: JSONValue) -> WorkflowDefinition? {
        guard let root = document.objectValue else {
            issue("(document)", "a workflow must be a mapping with 'name' and 'stages', found \(document.typeName)")
            return nil
        }
        let chain = root["workflow_chain"]
        let chainTypes = Set(chain?.arrayValue?.compactMap(\.stringValue) ?? [])
        for key in root.keys.sorted() where !DefinitionParser.topLevelKeys.contains(key) && !chainTypes.contains(key) {
            issue(key, "unknown top-level field" + Spelling.suggestion(for: key, among: DefinitionParser.topLevelKeys))
        }
        var name = root["name"]?.stringValue ?? ""
        if name.isEmpty {
            if chain != nil { name = "chain" } else { issue("name", "required: the workflow's name") }
        }
        let inputs = self.inputs(root["inputs"])
        var defaults = StageDefaults()
        if let value = root["defaults"] { defaults = self.defaults(value) }
        var stages: [StageDefinition] = []
        switch (root["stages"], chain) {
        case (nil, nil): issue("stages", "required: a list of stages (or 'workflow_chain')")
        case (.some, .some): issue("workflow_chain", "give either 'stages' or 'workflow_chain', not both")
        case (let value?, nil): stages = self.stages(value, defaults: defaults)
        case (nil, let value?): stages = self.chain(value, root: root, defaults: defaults)
        }
        return WorkflowDefinition(name: name, description: root["description"]?.stringValue,
                                  inputs: inputs, defaults: defaults, stages: stages)
    }

    mutating func inputs(_ value: JSONValue?) -> [InputSpec] {
        guard let value else { return [] }
        guard let map = value.objectValue else {
            issue("inputs", "must be a mapping of input name to its type or spec")
            return []
        }
        var specs: [InputSpec] = []
        for name in map.keys.sorted() {
            let field = "inputs.\(name)"
            let raw = map[name] ?? .null
            let spec = raw.objectValue ?? (raw.stringValue.map { ["type": .string($0)] } ?? [:])
            for key in spec.keys.sorted() where !["type", "required", "default", "description"].contains(key) {
                issue("\(field).\(key)", "unknown input field")
            }
            let typeName = spec["type"]?.stringValue ?? "string"
            guard let type = ValueType(rawValue: typeName) else {
                issue("\(field).type", "unknown type '\(DefinitionLimits.excerpt(typeName))' (use string, int, number, bool or file)")
                continue
            }
            let defaultValue = spec["default"]
            if let defaultValue, !defaultValue.isNull, !type.accepts(defaultValue) {
                issue("\(field).default", "expected \(type.rawValue), found \(defaultValue.typeName)")
            }
            let required = spec["required"]?.boolValue ?? false
            specs.append(InputSpec(name: name, type: type, required: required,
                                   defaultValue: defaultValue?.isNull == true ? nil : defaultValue,
                                   description: spec["description"]?.stringValue))
        }
        return specs
    }

    mutating func defaults(_ value: JSONValue) -> StageDefaults {
        guard let map = value.objectValue else {
            issue("defaults", "must be a mapping with 'retry' and/or 'timeout'")
            return StageDefaults()
        }
        for key in map.keys.sorted() where !["retry", "timeout"].contains(key) { issue("defaults.\(key)", "unknown field") }
        var defaults = StageDefaults()
        if let retry = map["retry"] { defaults.retry = self.retry(retry, base: .default, field: "defaults.retry", stage: nil) }
        if let timeout = map["timeout"] { defaults.timeoutMs = duration(timeout, field: "defaults.timeout", stage: nil) }
        return defaults
    }

    mutating func retry(_ value: JSONValue, base: RetryPolicy, field: String, stage: String?) -> RetryPolicy {
        if let attempts = value.intValue {
            var policy = base
            policy.maxAttempts = attempts
            if attempts < 1 { issue(field, "max attempts must be at least 1", stage: stage) }
            return policy
        }
        guard let map = value.objectValue else {
            issue(field, "must be a number of attempts or a mapping", stage: stage)
            return base
        }
        var policy = base
        let known = ["max_attempts", "initial_interval", "max_interval", "multiplier", "non_retryable"]
        for key in map.keys.sorted() where !known.contains(key) {
            issue("\(field).\(key)", "unknown retry field" + Spelling.suggestion(for: key, among: known), stage: stage)
        }
        if let v = map["max_attempts"] {
            if let n = v.intValue, n >= 1 { policy.maxAttempts = n } else { issue("\(field).max_attempts", "must be an integer ≥ 1", stage: stage) }
        }
        if let v = map["initial_interval"], let ms = duration(v, field: "\(field).initial_interval", stage: stage) { policy.initialIntervalMs = ms }
        if let v = map["max_interval"], let ms = duration(v, field: "\(field).max_interval", stage: stage) { policy.maxIntervalMs = ms }
        if let v = map["multiplier"] {
            if let m = v.doubleValue, m >= 1 { policy.multiplier = m } else { issue("\(field).multiplier", "must be a number ≥ 1", stage: stage) }
        }
        if let v = map["non_retryable"] {
            if let kinds = v.arrayValue?.compactMap(\.stringValue) { policy.nonRetryable = Set(kinds.map { ErrorKind(rawValue: $0) }) }
            else { issue("\(field).non_retryable", "must be a list of error kinds", stage: stage) }
        }
        if policy.maxIntervalMs < policy.initialIntervalMs {
            issue("\(field).max_interval", "must not be less than initial_interval", stage: stage)
        }
        return policy
    }

    mutating func duration(_ value: JSONValue, field: String, stage: String?) -> Int? {
        guard let ms = DefinitionParser.milliseconds(value) else {
            issue(field, "not a duration: '\(DefinitionLimits.excerpt(value.interpolated))' (use e.g. 30s, 500ms, 10m)", stage: stage)
            return nil
        }
        return ms
    }
}
