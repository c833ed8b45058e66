import Foundation
import VidflowCore

/// Renders a video run as a vidflow task and as OpenAI's video object.
enum VideoTaskView {
    /// 0–100 over the chain: finished stages count whole, the running one by its own progress.
    static func progress(_ run: RunRecord, stages: [StageRecord]) -> Int {
        if run.status == .completed { return 100 }
        guard !stages.isEmpty else { return 0 }
        let total = stages.reduce(0) { sum, stage in sum + (stage.status == .completed ? 100 : min(100, max(0, stage.progress))) }
        return min(99, total / stages.count)
    }

    /// The file a variant names: the transcoded video or its thumbnail.
    static func file(_ stages: [StageRecord], variant: String) -> String? {
        let stageID = variant == "thumbnail" ? "thumbnail" : "transcode"
        return stages.first { $0.stageID == stageID && $0.status == .completed }?.output?["file"]?.stringValue
    }

    /// The task as clients read it: status (`pending` until it starts), progress, result URLs (`video_urls`:
    /// every output of a multi-output job, the first served by vidflow, the others the provider's own),
    /// retries (`retry_count`: re-attempts of its stages plus earlier manual retries; `max_retries`: what one
    /// stage may re-attempt), warnings, the task it retries and when it last changed.
    static func task(_ run: RunRecord, stages: [StageRecord], meta: JSONValue?) -> JSONValue {
        let status: String = switch run.status {
        case .pending: "pending"
        case .running: "processing"
        default: run.status.rawValue
        }
        let done = run.status == .completed
        let base = "/v1/video/tasks/\(run.id)/content?variant="
        let duration = stages.first { $0.stageID == "transcode" }?.output?["duration"] ?? .null
        var error: JSONValue = .null
        if let failure = run.error {
            error = ["code": .string(failure.kind.rawValue), "message": .string(run.fileAccess.scrubbed(failure.message))]
        } else if run.status == .cancelled {
            error = ["code": "cancelled", "message": "the task was cancelled"]
        }
        var urls: [JSONValue] = []
        if done {
            urls.append(.string(base + "video"))
            let extra = stages.first { $0.stageID == "poll" }?.output?["urls"]?.arrayValue ?? []
            urls.append(contentsOf: extra.dropFirst())
        }
        let reattempts = stages.reduce(0) { $0 + max(0, $1.attempts - 1) }
        let dates = [run.createdAt, run.startedAt, run.endedAt] + stages.flatMap { [$0.startedAt, $0.endedAt] }
        let updated = dates.compactMap { $0 }.max() ?? run.createdAt
        return [
            "task_id": .string(run.id), "status": .string(status), "progress": .int(progress(run, stages: stages)),
            "video_url": done ? .string(base + "video") : .null, "video_urls": .array(urls),
            "thumbnail_url": done ? .string(base + "thumbnail") : .null,
            "duration": duration, "error": error, "prompt": meta?["prompt"] ?? .null, "provider": meta?["provider"] ?? .null,
            "model": meta?["model"] ?? .null, "created_at": JSONResponse.time(run.createdAt),
            "updated_at": JSONResponse.time(updated), "completed_at": JSONResponse.time(run.endedAt),
            "retry_count": .int(reattempts + (meta?["retry_number"]?.intValue ?? 0)),
            "max_retries": .int(max(0, run.definition.defaults.retry.maxAttempts - 1)),
            "retry_of": meta?["retry_of"] ?? .null, "warnings": meta?["warnings"] ?? [],
        ]
    }

    /// OpenAI's video object: id, object, model, status, progress, created_at, completed_at, seconds, size, error…
    static func openAI(_ run: RunRecord, stages: [StageRecord], meta: JSONValue?) -> JSONValue {
        let status: String = switch run.status {
        case .pending: "queued"
        case .running: "in_progress"
        case .completed: "completed"
        case .failed, .cancelled: "failed"
        }
        var error: JSONValue = .null
        if let failure = run.error {
            error = ["code": .string(failure.kind.rawValue), "message": .string(run.fileAccess.scrubbed(failure.message))]
        } else if run.status == .cancelled {
            error = ["code": "cancelled", "message": "the video was cancelled"]
        }
        let seconds = meta?["seconds"]?.doubleValue.map { String(Int($0.rounded())) } ?? "4"
        return [
            "id": .string(run.id), "object": "video", "model": meta?["model"] ?? "local", "status": .string(status),
            "progress": .int(progress(run, stages: stages)), "created_at": .int(Int(run.createdAt.timeIntervalSince1970)),
            "completed_at": run.endedAt.map { .int(Int($0.timeIntervalSince1970)) } ?? .null, "expires_at": .null,
            "prompt": meta?["prompt"] ?? .null, "size": meta?["size"] ?? "1280x720", "seconds": .string(seconds),
            "remixed_from_video_id": meta?["remixed_from"] ?? .null, "error": error,
        ]
    }
}
