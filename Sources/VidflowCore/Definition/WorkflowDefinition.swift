/// A validated workflow: typed inputs, defaults and a DAG of stages. Built by `DefinitionParser`.
///
/// ```yaml
/// name: image-to-video
/// inputs:
///   prompt: { type: string, required: true }
/// stages:
///   - id: upload
///     uses: image.upload
///     with: { source: "${{ inputs.image }}" }
/// ```
public struct WorkflowDefinition: Sendable, Hashable, Codable {
    public var name: String
    public var description: String?
    public var inputs: [InputSpec]
    public var defaults: StageDefaults
    public var stages: [StageDefinition]

    public init(name: String, description: String? = nil, inputs: [InputSpec] = [],
                defaults: StageDefaults = StageDefaults(), stages: [StageDefinition]) {
        self.name = name
        self.description = description
        self.inputs = inputs
        self.defaults = defaults
        self.stages = stages
    }

    /// The stage with this id: a linear scan; loops over many stages use `stagesByID` instead.
    public func stage(_ id: String) -> StageDefinition? { stages.first { $0.id == id } }
    public func input(_ name: String) -> InputSpec? { inputs.first { $0.name == name } }

    /// Every stage by id (the first of duplicate ids, which the validator refuses anyway).
    public var stagesByID: [String: StageDefinition] {
        Dictionary(stages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Every input by name.
    public var inputsByName: [String: InputSpec] {
        Dictionary(inputs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// The type of a workflow input or stage parameter.
public enum ValueType: String, Sendable, Hashable, Codable, CaseIterable {
    case string, int, number, bool, file, object, array, any

    /// Whether `value` is acceptable for this type (an int is a number; a file is a path string).
    public func accepts(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.any, _): true
        case (.string, .string), (.file, .string), (.bool, .bool), (.object, .object), (.array, .array): true
        case (.int, _): value.intValue != nil
        case (.number, .int), (.number, .double): true
        default: false
        }
    }

    /// Converts text given on a command line (`--input seconds=4`) into a value of this type.
    public func coerce(_ text: String) -> JSONValue? {
        switch self {
        case .string, .file: return .string(text)
        case .int: return Int(text).map(JSONValue.int)
        case .number: return Double(text).map { $0.rounded() == $0 && !text.contains(".") ? .int(Int($0)) : .double($0) }
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "1": return .bool(true)
            case "false", "no", "0": return .bool(false)
            default: return nil
            }
        case .object, .array, .any: return (try? JSONValue.parse(text)) ?? (self == .any ? .string(text) : nil)
        }
    }
}

/// One declared workflow input.
public struct InputSpec: Sendable, Hashable, Codable {
    public var name: String
    public var type: ValueType
    public var required: Bool
    public var defaultValue: JSONValue?
    public var description: String?

    public init(name: String, type: ValueType, required: Bool = false, defaultValue: JSONValue? = nil, description: String? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// Settings every stage inherits unless it sets its own.
public struct StageDefaults: Sendable, Hashable, Codable {
    public var retry: RetryPolicy
    /// Per-attempt timeout in milliseconds; nil means none.
    public var timeoutMs: Int?

    public init(retry: RetryPolicy = .default, timeoutMs: Int? = nil) {
        self.retry = retry
        self.timeoutMs = timeoutMs
    }
}

/// One stage of a workflow as written: what it uses, with which parameters, after which stages.
public struct StageDefinition: Sendable, Hashable, Codable {
    public var id: String
    public var uses: String
    public var with: [String: JSONValue]
    /// Upstream stage ids. The parser fills in the previous stage when `needs` is omitted.
    public var needs: [String]
    public var retry: RetryPolicy?
    public var timeoutMs: Int?
    public var condition: String?
    /// Named concurrency pool; nil uses the stage type's default pool.
    public var pool: String?

    public init(id: String, uses: String, with: [String: JSONValue] = [:], needs: [String] = [],
                retry: RetryPolicy? = nil, timeoutMs: Int? = nil, condition: String? = nil, pool: String? = nil) {
        self.id = id
        self.uses = uses
        self.with = with
        self.needs = needs
        self.retry = retry
        self.timeoutMs = timeoutMs
        self.condition = condition
        self.pool = pool
    }
}
