import Foundation
import VidflowCore

/// YiVideo's top-level workflow parameters (`video_path`, `audio_path`, `language`, `speaker_count`,
/// `enable_optimization`), given next to `workflow_config` in `POST /v1/workflows`.
///
/// Each becomes a workflow input of the same name (so the run's inputs record it and a retry may change
/// it), and every stage that declares a parameter of that meaning, and does not set it itself, reads it
/// as `${{ inputs.<name> }}`:
/// - `video_path` → the `input` of the chain's first stages (those without upstream stages) and of stages
///   whose `input` is not chain-wired (`ffmpeg.mux_subtitles`'s video);
/// - `audio_path` → the same as `video_path` when no `video_path` is given, else every `audio` file parameter;
/// - `language` → every `language` parameter; `speaker_count` → every `speaker_count` parameter;
/// - `enable_optimization` → recorded only (accepted for compatibility; no stage reads it).
struct WorkflowParameters: Sendable, Equatable {
    /// The top-level names, with the type of the workflow input each becomes.
    static let types: [(name: String, type: ValueType)] = [
        ("video_path", .file), ("audio_path", .file), ("language", .string), ("speaker_count", .int),
        ("enable_optimization", .bool),
    ]
    static var names: Set<String> { Set(types.map(\.name)) }

    /// The parameters given, by name.
    var values: [String: JSONValue] = [:]

    init(_ body: JSONObjectReader) throws {
        if let path = try body.string("video_path") { values["video_path"] = .string(try Self.path(path, field: "video_path")) }
        if let path = try body.string("audio_path") { values["audio_path"] = .string(try Self.path(path, field: "audio_path")) }
        if let language = try body.string("language") {
            guard !language.isEmpty, language.count <= 16 else {
                throw APIError.badRequest("must be a language code such as 'zh' or 'en'", field: "language", code: "invalid_value")
            }
            values["language"] = .string(language)
        }
        if let count = try body.int("speaker_count") {
            guard (1...100).contains(count) else {
                throw APIError.badRequest("must be 1 to 100", field: "speaker_count", code: "invalid_value")
            }
            values["speaker_count"] = .int(count)
        }
        if let flag = try body.bool("enable_optimization") { values["enable_optimization"] = .bool(flag) }
    }

    private static func path(_ text: String, field: String) throws -> String {
        guard !text.isEmpty, text.utf8.count <= 4096, !text.contains("\0") else {
            throw APIError.badRequest("must be a file_path you uploaded (e.g. 'videos/demo.mp4')", field: field, code: "invalid_value")
        }
        return text
    }

    /// `inputs` with the parameters added; a different value for the same name under `inputs` is a 400.
    func merged(into inputs: [String: JSONValue]) throws -> [String: JSONValue] {
        var inputs = inputs
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            if let given = inputs[name], given != value {
                throw APIError.badRequest("'\(name)' is given both at the top level and under 'inputs' with different values",
                                          field: name)
            }
            inputs[name] = value
        }
        return inputs
    }

    /// The definition with an input declared for each parameter given (unless it declares one already)
    /// and each stage that takes the parameter wired to it.
    func applied(to definition: WorkflowDefinition, registry: StageRegistry) -> WorkflowDefinition {
        guard !values.isEmpty else { return definition }
        var definition = definition
        for (name, type) in Self.types where values[name] != nil && definition.input(name) == nil {
            definition.inputs.append(InputSpec(name: name, type: type, description: "top-level workflow parameter"))
        }
        let inputFile = values["video_path"] != nil ? "video_path" : (values["audio_path"] != nil ? "audio_path" : nil)
        for index in definition.stages.indices {
            let stage = definition.stages[index]
            guard let schema = registry.stage(stage.uses)?.schema else { continue }
            var wiring: [String: String] = [:]
            if let inputFile, let spec = schema.parameter("input"), spec.type == .file,
               stage.needs.isEmpty || spec.defaultValue == nil {
                wiring["input"] = inputFile
            }
            if inputFile == "video_path", values["audio_path"] != nil, schema.parameter("audio")?.type == .file {
                wiring["audio"] = "audio_path"
            }
            for name in ["language", "speaker_count"] where values[name] != nil && schema.parameter(name) != nil {
                wiring[name] = name
            }
            for (parameter, input) in wiring where stage.with[parameter] == nil {
                definition.stages[index].with[parameter] = .string("${{ inputs.\(input) }}")
            }
        }
        return definition
    }
}
