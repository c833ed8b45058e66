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

    /// The file a variant names: the transcoded video (`index` 1-based among several, from `num_outputs`)
    /// or the thumbnail (of the first video).
    static func file(_ stages: [StageRecord], variant: String, index: Int = 1) -> String? {
        let stageID = variant == "thumbnail" ? "thumbnail" : "transcode"
        let output = stages.first { $0.stageID == stageID && $0.status == .completed }?.output
        guard index > 1 else { return output?["file"]?.stringValue }
        guard variant == "video", let files = output?["files"]?.arrayValue, files.indices.contains(index - 1) else { return nil }
        return files[index - 1].stringValue
    }

    /// How many videos the finished run made (several with `num_outputs`).
    static func videoCount(_ stages: [StageRecord]) -> Int {
        let transcode = stages.first { $0.stageID == "transcode" && $0.status == .completed }?.output
        return max(1, transcode?["files"]?.arrayValue?.count ?? 1)
    }

    /// The task as clients read it: status (`pending` until it starts), progress, result URLs (`video_urls`:
    /// every video, in order, each served by vidflow — `num_outputs` fanned out or one job's several),
    /// retries (`retry_count`: re-attempts of its stages plus earlier manual retries; `max_retries`: what one
    /// stage may re-attempt), warnings, the task it retries and when it last changed.
    static func task(_ run: RunRecord, stages: [StageRecord], meta: JSONValue?) -> VideoTask {
        let status: String = switch run.status {
        case .pending: "pending"
        case .running: "processing"
        default: run.status.rawValue
        }
        let done = run.status == .completed
        let base = "/v1/video/tasks/\(run.id)/content?variant="
        let duration = stages.first { $0.stageID == "transcode" }?.output?["duration"]?.doubleValue
        let error = failure(run, cancelled: "the task was cancelled")
        var urls: [JSONValue] = []
        if done {
            let count = videoCount(stages)
            urls.append(.string(base + "video"))
            urls.append(contentsOf: (1..<max(1, count)).map { .string(base + "video&index=\($0 + 1)") })
            if count == 1 {
                // Runs from before every video was downloaded: the provider's own URLs for the others.
                let extra = stages.first { $0.stageID == "poll" }?.output?["urls"]?.arrayValue ?? []
                urls.append(contentsOf: extra.dropFirst())
            }
        }
        let reattempts = stages.reduce(0) { $0 + max(0, $1.attempts - 1) }
        let dates = [run.createdAt, run.startedAt, run.endedAt] + stages.flatMap { [$0.startedAt, $0.endedAt] }
        let updated = dates.compactMap { $0 }.max() ?? run.createdAt
        return VideoTask(
            taskID: run.id, status: status, progress: progress(run, stages: stages),
            videoURL: done ? base + "video" : nil, videoURLs: urls.compactMap(\.stringValue),
            thumbnailURL: done ? base + "thumbnail" : nil, duration: duration, error: error,
            prompt: meta?["prompt"]?.stringValue, provider: meta?["provider"]?.stringValue, model: meta?["model"]?.stringValue,
            createdAt: run.createdAt, updatedAt: updated, completedAt: run.endedAt,
            retryCount: reattempts + (meta?["retry_number"]?.intValue ?? 0),
            maxRetries: max(0, run.definition.defaults.retry.maxAttempts - 1),
            retryOf: meta?["retry_of"]?.stringValue, warnings: meta?["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// The run's failure, or for a cancelled run `cancelled` with `message`; nil otherwise.
    static func failure(_ run: RunRecord, cancelled message: String) -> VideoFailure? {
        if let failure = run.error {
            return VideoFailure(code: failure.kind.rawValue, message: run.fileAccess.scrubbed(failure.message))
        }
        return run.status == .cancelled ? VideoFailure(code: "cancelled", message: message) : nil
    }

    /// OpenAI's video object: id, object, model, status, progress, created_at, completed_at, seconds, size, error…
    static func openAI(_ run: RunRecord, stages: [StageRecord], meta: JSONValue?) -> OpenAIVideo {
        let status: String = switch run.status {
        case .pending: "queued"
        case .running: "in_progress"
        case .completed: "completed"
        case .failed, .cancelled: "failed"
        }
        let seconds = meta?["seconds"]?.doubleValue.map { String(Int($0.rounded())) } ?? "4"
        return OpenAIVideo(
            id: run.id, model: meta?["model"]?.stringValue ?? "local", status: status, progress: progress(run, stages: stages),
            createdAt: Int(run.createdAt.timeIntervalSince1970), completedAt: run.endedAt.map { Int($0.timeIntervalSince1970) },
            prompt: meta?["prompt"]?.stringValue, size: meta?["size"]?.stringValue ?? "1280x720", seconds: seconds,
            remixedFromVideoID: meta?["remixed_from"]?.stringValue, error: failure(run, cancelled: "the video was cancelled"))
    }
}
