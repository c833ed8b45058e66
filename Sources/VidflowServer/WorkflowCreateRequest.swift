import Foundation
import Hummingbird
import VidflowCore

/// The body of `POST /v1/workflows`, checked field by field.
struct WorkflowCreateRequest: Sendable {
    static let fields: Set<String> = Set([
        "workflow", "definition", "workflow_config", "inputs", "execution_mode", "workflow_id",
        "param_merge_strategy", "dry_run", "callback_url", "idempotency_key",
    ]).union(WorkflowParameters.names)

    var workflowName: String?
    var definition: JSONValue?
    var workflowConfig: JSONValue?
    var inputs: [String: JSONValue]
    var mode: ExecutionMode
    var baseRunID: String?
    var mergeStrategy: ParamMergeStrategy
    var dryRun: Bool
    var callbackURL: String?
    var idempotencyKey: String?
    /// YiVideo's top-level parameters (`video_path`, `language`, …) for the stages that take them.
    var parameters: WorkflowParameters

    init(_ body: JSONObjectReader, headerKey: String?) throws {
        try body.rejectUnknown(Self.fields)
        workflowName = try body.string("workflow")
        definition = try body.object("definition").map(JSONValue.object)
        workflowConfig = try body.object("workflow_config").map(JSONValue.object)
        inputs = try body.object("inputs") ?? [:]
        mode = try body.choice("execution_mode", ExecutionMode.self) ?? .full
        baseRunID = try body.string("workflow_id")
        mergeStrategy = try body.choice("param_merge_strategy", ParamMergeStrategy.self) ?? .merge
        dryRun = try body.bool("dry_run") ?? false
        callbackURL = try body.string("callback_url")
        idempotencyKey = try body.string("idempotency_key")
        parameters = try WorkflowParameters(body)
        inputs = try parameters.merged(into: inputs)

        let sources = [workflowName != nil, definition != nil, workflowConfig != nil].filter { $0 }.count
        if sources > 1 {
            throw APIError.badRequest("give only one of 'workflow', 'definition' and 'workflow_config'", field: "definition")
        }
        if sources == 0 && mode == .full {
            throw APIError.badRequest("required: 'workflow' (a name), 'definition' or 'workflow_config'", field: "workflow")
        }
        if mode != .full && baseRunID == nil {
            throw APIError.badRequest("\(mode.rawValue) needs 'workflow_id', the run to start from", field: "workflow_id")
        }
        if mode == .full && baseRunID != nil {
            throw APIError.badRequest("'workflow_id' is only for execution_mode retry or incremental", field: "workflow_id")
        }
        if let callbackURL {
            guard let url = URL(string: callbackURL), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
                  url.host?.isEmpty == false else {
                throw APIError.badRequest("must be an http or https URL", field: "callback_url")
            }
        }
        if let headerKey, !headerKey.isEmpty {
            if let idempotencyKey, idempotencyKey != headerKey {
                throw APIError.badRequest("differs from the Idempotency-Key header", field: "idempotency_key")
            }
            idempotencyKey = headerKey
        }
        if let key = idempotencyKey, key.isEmpty || key.count > 255 {
            throw APIError.badRequest("must be 1 to 255 characters", field: "idempotency_key")
        }
    }
}
