import Foundation
import VidflowCore
import VidflowMedia

/// The embedded `local` provider: renders offline with `VideoRenderer` and behaves like a remote job queue.
///
/// An image becomes a Ken Burns pan-and-zoom, a prompt alone a seeded procedural animation with the
/// prompt drawn in it; the same request (seed included) always gives the same video. `submit` records
/// the job under `directory` and renders in the background; any process can poll it later, and a job
/// whose video is missing (its process died) is rendered again on the next `status`.
///
/// ```swift
/// let local = LocalProvider(directory: dataDirectory + "/providers/local")
/// let id = try await local.submit(VideoRequest(prompt: "a fox", seconds: 2), idempotencyKey: "k1")
/// ```
public final class LocalProvider: VideoProvider {
    static let providerName = "local"

    public var name: String { Self.providerName }
    public let directory: String
    private let store: LocalJobStore
    private let board = LocalRenderBoard.shared
    /// Suggested wait between polls while rendering.
    private let pollAfterMs: Int

    public init(directory: String, pollAfterMs: Int = 250) {
        self.directory = directory
        self.store = LocalJobStore(directory: directory)
        self.pollAfterMs = pollAfterMs
    }

    public var capabilities: ProviderCapabilities {
        ProviderCapabilities(
            models: ["local-v1"], secondsRange: 0.5...60, defaultSeconds: 4, arbitrarySizes: true,
            aspectRatios: ["16:9", "9:16", "1:1", "4:3", "3:4", "21:9"],
            resolutions: ["180p", "360p", "480p", "720p", "1080p"],
            imageInput: true, seed: true, fps: true
        )
    }

    public var features: ProviderFeatures { ProviderFeatures(cancel: true, reconcile: true) }

    public func submit(_ request: VideoRequest, idempotencyKey: String) async throws -> String {
        if let existing = try store.jobID(forKey: idempotencyKey) { return existing }
        if let image = request.image { try await checkImage(image) }
        let render = try LocalRenderPlanner.render(for: request)
        let id = "loc_" + String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20))
        let record = LocalJobRecord(id: id, idempotencyKey: idempotencyKey, createdAt: Date(), request: request,
                                    render: render, state: .queued)
        try store.save(record)
        try store.index(key: idempotencyKey, id: id)
        startRender(record)
        return id
    }

    public func status(of jobID: String) async throws -> VideoJobStatus {
        let record = try require(jobID, "status")
        let video = store.videoPath(of: jobID)
        switch record.state {
        case .failed:
            return VideoJobStatus(state: .failed, errorMessage: record.errorMessage ?? "render failed", errorKind: .providerFailed)
        case .cancelled:
            return VideoJobStatus(state: .cancelled, errorMessage: record.errorMessage ?? "cancelled")
        case .succeeded where FileManager.default.fileExists(atPath: video) && board.progress(of: video) == nil:
            return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: fileURL(video)))
        case .queued, .running, .succeeded:
            if let progress = board.progress(of: video) {
                return VideoJobStatus(state: .running, progress: progress, pollAfterMs: pollAfterMs)
            }
            if FileManager.default.fileExists(atPath: video) {
                // Rendered (written atomically) and the record is about to say so.
                return VideoJobStatus(state: .succeeded, progress: 100, result: ResultLocation(url: fileURL(video)))
            }
            startRender(record)
            return VideoJobStatus(state: .running, progress: board.progress(of: video) ?? 0, pollAfterMs: pollAfterMs)
        }
    }

    public func cancel(_ jobID: String) async throws {
        var record = try require(jobID, "cancel")
        guard !record.state.isTerminal else { return }
        _ = board.cancel(store.videoPath(of: jobID))
        record.state = .cancelled
        record.errorMessage = "cancelled on request"
        try store.save(record)
    }

    public func lookup(idempotencyKey: String, request: VideoRequest) async throws -> String? {
        try store.jobID(forKey: idempotencyKey)
    }

    public func resultLocation(of jobID: String) async throws -> ResultLocation {
        let status = try await status(of: jobID)
        guard status.state == .succeeded, let result = status.result else {
            throw ProviderError(provider: name, operation: "result of job \(jobID)", kind: .invalidInput,
                                message: "the job is \(status.state.rawValue), not succeeded")
        }
        return result
    }

    /// Ids of every job ever submitted to this directory: one file per paid submit.
    public func jobIDs() throws -> [String] { try store.jobIDs() }

    private func require(_ jobID: String, _ operation: String) throws(ProviderError) -> LocalJobRecord {
        guard let record = try store.load(jobID) else {
            throw ProviderError(provider: name, operation: "\(operation) of job \(jobID)", kind: .invalidInput,
                                message: "no such job in \(directory)")
        }
        return record
    }

    private func checkImage(_ path: String) async throws(ProviderError) {
        do {
            _ = try await runBlocking { _ in try ImageProbe.inspect(path: path) }
        } catch {
            throw ProviderError(provider: name, operation: "submit", kind: .invalidInput,
                                message: "image '\(path)' is not usable: \(error)")
        }
    }

    /// Renders the job in the background unless it is already rendering in this process.
    private func startRender(_ record: LocalJobRecord) {
        let video = store.videoPath(of: record.id)
        guard board.begin(video) else { return }
        let store = self.store, board = self.board
        Task.detached(priority: .utility) {
            defer { board.end(video) }
            var finished = record
            do {
                try await runBlocking { flag in
                    try VideoRenderer.render(record.render, output: video,
                                             progress: { board.update(video, progress: Int($0 * 100)) },
                                             isCancelled: { flag.isCancelled || board.isCancelled(video) })
                }
                finished.state = .succeeded
            } catch MediaError.cancelled {
                finished.state = .cancelled
                finished.errorMessage = "cancelled on request"
            } catch {
                finished.state = .failed
                finished.errorMessage = "render failed: \(error)"
            }
            if let current = try? store.load(record.id), current.state == .cancelled { return }
            try? store.save(finished)
        }
    }

    private func fileURL(_ path: String) -> String { URL(fileURLWithPath: path).absoluteString }
}
