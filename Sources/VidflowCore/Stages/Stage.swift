/// A stage type: a named, versioned unit of work with declared parameters and outputs.
///
/// The engine knows stage types only through this protocol and the `StageRegistry`; bumping
/// `version` changes every cache key of the type, so incremental re-runs run it again.
public protocol Stage: Sendable {
    /// The name workflows use in `uses:` (e.g. `ffmpeg.transcode`).
    var typeName: String { get }
    var version: Int { get }
    var schema: StageSchema { get }
    /// The concurrency pool for these resolved parameters (e.g. `provider:runway`); nil: only the global limit.
    func pool(for parameters: [String: JSONValue]) -> String?
    /// Does the work. Throw `StageFailure` to say how it failed; report progress and logs on the context.
    func run(_ context: any StageContext) async throws -> StageResult
}

extension Stage {
    public func pool(for parameters: [String: JSONValue]) -> String? { nil }
}

/// What a stage returns: named outputs and the artifacts (files) it produced.
public struct StageResult: Sendable, Hashable, Codable {
    public var outputs: [String: JSONValue]
    public var artifacts: [ArtifactRef]

    public init(outputs: [String: JSONValue], artifacts: [ArtifactRef] = []) {
        self.outputs = outputs
        self.artifacts = artifacts
    }
}

/// The declared parameters and outputs of a stage type, used to validate definitions before anything runs.
public struct StageSchema: Sendable, Hashable {
    public var parameters: [ParameterSpec]
    public var outputs: [OutputSpec]
    /// Accept parameters not listed (they are passed through).
    public var allowsAdditionalParameters: Bool
    /// Every parameter is also an output (the `noop` stage passes values on).
    public var outputsEchoParameters: Bool
    /// Parameters of other types that may name a local file too (`image.upload`'s `source`, which may
    /// also be a URL): confined like `file` parameters.
    public var pathParameters: Set<String> = []

    public init(parameters: [ParameterSpec], outputs: [OutputSpec], allowsAdditionalParameters: Bool = false,
                outputsEchoParameters: Bool = false) {
        self.parameters = parameters
        self.outputs = outputs
        self.allowsAdditionalParameters = allowsAdditionalParameters
        self.outputsEchoParameters = outputsEchoParameters
    }

    public func parameter(_ name: String) -> ParameterSpec? { parameters.first { $0.name == name } }

    /// Every parameter that may name a local file: the `file` ones and `pathParameters`.
    public var localFileParameters: Set<String> {
        pathParameters.union(parameters.filter { $0.type == .file }.map(\.name))
    }

    /// Output names a stage with these parameters will produce.
    public func outputNames(for parameters: [String: JSONValue]) -> Set<String> {
        var names = Set(outputs.map(\.name))
        if outputsEchoParameters { names.formUnion(parameters.keys) }
        return names
    }
}

/// One declared stage parameter.
public struct ParameterSpec: Sendable, Hashable {
    public var name: String
    public var type: ValueType
    public var required: Bool
    /// Used when the definition omits the parameter; may itself be a template (`${{ previous.outputs.job_id }}`).
    public var defaultValue: JSONValue?
    /// When set, the only values accepted.
    public var allowed: [JSONValue]?
    public var description: String
    /// Set when the default is part of the chain wiring of another parameter: it applies only where
    /// that parameter is left to its default too, and only where what it refers to exists (instead of
    /// being a validation error). `video.download`'s `job_id` (`previous.outputs.job_id`) is wired with
    /// `url`: set after `video.poll` in a chain, left out when the definition gives `url` itself, or
    /// after a stage without that output.
    public var wiredWith: String?

    public init(_ name: String, _ type: ValueType, required: Bool = false, default defaultValue: JSONValue? = nil,
                allowed: [JSONValue]? = nil, description: String = "", wiredWith: String? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.allowed = allowed
        self.description = description
        self.wiredWith = wiredWith
    }
}

/// One declared stage output.
public struct OutputSpec: Sendable, Hashable {
    public var name: String
    public var type: ValueType
    public var description: String

    public init(_ name: String, _ type: ValueType, description: String = "") {
        self.name = name
        self.type = type
        self.description = description
    }
}

/// The set of stage types an engine can run, looked up by `uses:` name.
public struct StageRegistry: Sendable {
    private var types: [String: any Stage] = [:]

    public init(_ stages: [any Stage] = []) {
        for stage in stages { register(stage) }
    }

    public mutating func register(_ stage: any Stage) { types[stage.typeName] = stage }

    public func stage(_ typeName: String) -> (any Stage)? { types[typeName] }
    public var typeNames: [String] { types.keys.sorted() }
}
