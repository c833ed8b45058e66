import Foundation
import VidflowCore

/// `video.generate`: submits one generation job to a provider, at most once per stage of a run
/// (`StageContext.submitOnce`, "never pay twice"), and returns its id for `video.poll`.
public struct VideoGenerateStage: Stage {
    public let providers: ProviderRegistry

    public init(providers: ProviderRegistry) {
        self.providers = providers
    }

    public var typeName: String { "video.generate" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        StageSchema(
            parameters: [
                ParameterSpec("provider", .string, default: "local", description: "Provider name (see the provider registry)."),
                ParameterSpec("model", .string, description: "Model id; the provider's default when omitted."),
                ParameterSpec("prompt", .string, default: "", description: "What the video shows."),
                ParameterSpec("seconds", .number, description: "Clip length; snapped to what the provider allows."),
                ParameterSpec("size", .string, description: "Exact WIDTHxHEIGHT; wins over aspect_ratio/resolution."),
                ParameterSpec("aspect_ratio", .string, description: "16:9, 9:16, 1:1, ..."),
                ParameterSpec("resolution", .string, description: "480p, 720p, 1080p, ..."),
                ParameterSpec("negative_prompt", .string),
                ParameterSpec("seed", .int, description: "Same seed, same video where the provider is deterministic."),
                ParameterSpec("fps", .int),
                ParameterSpec("image", .file, description: "First frame / reference image (a local path)."),
                ParameterSpec("last_frame", .file, description: "Last frame image (a local path)."),
                ParameterSpec("generate_audio", .bool),
                ParameterSpec("extra_body", .object, description: "Provider-specific fields passed through as they are."),
            ],
            outputs: [
                OutputSpec("job_id", .string, description: "The provider's job id."),
                OutputSpec("provider", .string),
                OutputSpec("model", .string),
                OutputSpec("stage_id", .string, description: "This stage's id, so a failed poll can ask a retry to restart here."),
            ]
        )
    }

    public func pool(for parameters: [String: JSONValue]) -> String? {
        "provider:" + (parameters["provider"]?.stringValue ?? "local")
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let name = context.string("provider") ?? "local"
        guard let provider = providers.provider(name) else {
            throw StageFailure(.invalidInput, "unknown provider '\(name)' (known: \(providers.names.joined(separator: ", ")))")
        }
        let unified = try request(from: context)
        let adapted: (request: VideoRequest, warnings: [String])
        do {
            adapted = try unified.adapted(to: provider.capabilities, provider: name)
        } catch {
            throw error.stageFailure()
        }
        for warning in adapted.warnings { await context.log("warning: " + warning) }
        let request = adapted.request
        let job: ExternalJob
        do {
            job = try await context.submitOnce(
                provider: name, request: request.json,
                reconcile: { key in try await provider.lookup(idempotencyKey: key) },
                submit: { key in try await provider.submit(request, idempotencyKey: key) })
        } catch let error as ProviderError {
            throw error.stageFailure()
        }
        await context.log("\(job.origin.rawValue) job \(job.externalID) at \(name)")
        return StageResult(outputs: [
            "job_id": .string(job.externalID), "provider": .string(name),
            "model": .string(request.model ?? ""), "stage_id": .string(context.stageID),
        ])
    }

    /// The unified request from the stage's parameters; image paths are resolved and must exist.
    func request(from context: any StageContext) throws -> VideoRequest {
        func file(_ name: String) throws -> String? {
            guard let text = context.string(name), !text.isEmpty else { return nil }
            return try LocalPath.existingFile(text, parameter: name)
        }
        func text(_ name: String) -> String? {
            context.string(name).flatMap { $0.isEmpty ? nil : $0 }
        }
        let prompt = context.string("prompt") ?? ""
        let image = try file("image")
        if prompt.isEmpty && image == nil {
            throw StageFailure(.invalidInput, "video.generate needs a prompt, an image, or both")
        }
        return VideoRequest(
            model: text("model"), prompt: prompt, seconds: context.double("seconds"), size: text("size"),
            aspectRatio: text("aspect_ratio"), resolution: text("resolution"), negativePrompt: text("negative_prompt"),
            seed: context.int("seed"), fps: context.int("fps"), image: image, lastFrame: try file("last_frame"),
            generateAudio: context.bool("generate_audio"), extraBody: context.parameters["extra_body"]?.objectValue)
    }
}
