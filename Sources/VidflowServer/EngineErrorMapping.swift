import VidflowCore
import VidflowEngine

/// Turns engine and store refusals into API errors with fitting statuses.
enum EngineErrorMapping {
    static func apiError(_ error: any Error) -> any Error {
        switch error {
        case let error as EngineError:
            switch error {
            case .invalid(let definitionError):
                if let issue = definitionError.issues.first, issue.stage == nil, issue.field.hasPrefix("inputs") {
                    let message = definitionError.issues.prefix(DefinitionError.maxListed)
                        .map { "\($0.field): \($0.message)" }.joined(separator: "; ")
                    return APIError.badRequest(message, field: issue.field, code: "invalid_inputs")
                }
                return WorkflowLibrary.invalid(definitionError, prefix: "definition")
            case .baseRunMissing(let id), .unknownRun(let id):
                return APIError.notFound("no workflow with id '\(id)'", field: "workflow_id")
            case .baseRunActive:
                return APIError.conflict(error.description, field: "workflow_id")
            case .modeNeedsBase:
                return APIError.badRequest(error.description, field: "workflow_id")
            }
        case let error as StoreError:
            switch error {
            case .conflict(let message): return APIError.conflict(message, field: "workflow_id")
            case .runNotFound(let id): return APIError.notFound("no workflow with id '\(id)'", field: "workflow_id")
            case .corrupt: return error
            }
        default:
            return error
        }
    }
}
