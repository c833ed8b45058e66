import Foundation
import VidflowCore

/// `video.generate`: submits one generation job to a provider, at most once per stage of a run
/// (`StageContext.submitOnce`, "never pay twice"), and returns its id for `video.poll`.
///
/// `provider` may be a list (`[runway, kling/kling-v2-6, local]`): when a provider fails with an error
/// that certainly created no job (a capability mismatch, a refused key, 429/5xx answers), the next
/// one is tried; each hand-over is logged and listed in the `failover` output.
public struct VideoGenerateStage: Stage {
    public let providers: ProviderRegistry

    public init(providers: ProviderRegistry) {
        self.providers = providers
    }

    public var typeName: String { "video.generate" }
    public var version: Int { 1 }
    public var schema: StageSchema {
        var schema = StageSchema(
            parameters: [
                ParameterSpec("provider", .any, default: "local",
                              description: "Provider name, `name/model`, or a failover list of them."),
                ParameterSpec("model", .string, description: "Model id; the provider's default when omitted."),
                ParameterSpec("prompt", .string, default: "", description: "What the video shows."),
                ParameterSpec("seconds", .number, description: "Clip length in seconds."),
                ParameterSpec("size", .string, description: "Exact WIDTHxHEIGHT; wins over aspect_ratio/resolution."),
                ParameterSpec("aspect_ratio", .string, description: "16:9, 9:16, 1:1, ..."),
                ParameterSpec("resolution", .string, description: "480p, 720p, 1080p, ..."),
                ParameterSpec("negative_prompt", .string),
                ParameterSpec("seed", .int, description: "Same seed, same video where the provider is deterministic."),
                ParameterSpec("fps", .int),
                ParameterSpec("image", .file, description: "First frame / reference image (a local path)."),
                ParameterSpec("last_frame", .file, description: "Last frame image (a local path)."),
                ParameterSpec("generate_audio", .bool),
                ParameterSpec("num_outputs", .int,
                              description: "Videos to make: one job where the model makes several, else one job per video."),
                ParameterSpec("images", .array, description: "Reference images (local paths) besides the first frame."),
                ParameterSpec("remix_of", .string, description: "The provider's job id of an earlier video to remix or extend."),
                ParameterSpec("style", .string, description: "A style preset, where the model has them."),
                ParameterSpec("watermark", .bool, description: "Ask for or against the provider's watermark."),
                ParameterSpec("extra_body", .object, description: "Provider-specific fields passed through as they are."),
                ParameterSpec("on_unsupported", .string, default: "error",
                              description: "error: reject what the model cannot honour; nearest: use the nearest allowed value."),
            ],
            outputs: [
                OutputSpec("job_id", .string, description: "The provider's job id (the first, with several)."),
                OutputSpec("job_ids", .array, description: "Every job's id, in order (num_outputs fanned out: one per video)."),
                OutputSpec("videos", .int, description: "Videos the jobs make together."),
                OutputSpec("estimated_cost", .any,
                           description: "What the jobs this stage paid for cost at list price (null when unknown)."),
                OutputSpec("provider", .string),
                OutputSpec("model", .string),
                OutputSpec("stage_id", .string, description: "This stage's id, so a failed poll can ask a retry to restart here."),
                OutputSpec("failover", .array, description: "Providers tried before the one used, with why each was passed over."),
            ]
        )
        schema.pathParameters = ["images"]
        return schema
    }

    public func pool(for parameters: [String: JSONValue]) -> String? {
        "provider:" + (Self.choices(parameters["provider"]).first?.provider ?? "local")
    }

    public func run(_ context: any StageContext) async throws -> StageResult {
        let choices = Self.choices(context.parameters["provider"])
        guard !choices.isEmpty else { throw StageFailure(.invalidInput, "parameter 'provider' names no provider") }
        guard let policy = UnsupportedPolicy(rawValue: context.string("on_unsupported") ?? "error") else {
            throw StageFailure(.invalidInput, "on_unsupported must be one of: error, nearest")
        }
        let unified = try request(from: context)
        var passedOver: [JSONValue] = []
        for (index, choice) in choices.enumerated() {
            guard let provider = providers.provider(choice.provider) else {
                throw StageFailure(.invalidInput, "unknown provider '\(choice.provider)' (known: \(providers.names.joined(separator: ", ")))")
            }
            let isLast = index == choices.count - 1
            do {
                let made = try await submit(unified, to: provider, model: choice.model, isFirst: index == 0, policy: policy,
                                            context: context)
                var outputs = made.outputs
                outputs["stage_id"] = .string(context.stageID)
                outputs["failover"] = .array(passedOver)
                return StageResult(outputs: outputs)
            } catch let error as ProviderError where error.allowsFailover && !isLast {
                await context.log("\(provider.name) failed (\(error.kind.rawValue)): \(error.message); trying \(choices[index + 1].provider)")
                passedOver.append(["provider": .string(provider.name), "code": .string(error.kind.rawValue),
                                   "message": .string(error.message)])
            } catch let error as ProviderError {
                throw error.stageFailure()
            }
        }
        throw StageFailure(.internalError, "no provider was tried")
    }

    /// Validates `unified` for `provider` and submits its jobs, each once (`submitJobs`).
    /// `model` (from a `name/model` entry) wins; the stage's `model` applies to a failover provider only
    /// when that provider knows it.
    private func submit(_ unified: VideoRequest, to provider: any VideoProvider, model: String?, isFirst: Bool,
                        policy: UnsupportedPolicy, context: any StageContext) async throws -> SubmittedJobs {
        var request = unified
        request.model = model ?? unified.model
        request.extraBody = Self.extraBody(unified.extraBody, for: provider.name, providers: Set(providers.names))
        if model == nil, !isFirst, let wanted = unified.model, !provider.capabilities.models.contains(wanted),
           !provider.capabilities.anyModel {
            await context.log("\(provider.name) has no model '\(wanted)'; using its default")
            request.model = nil
        }
        let capabilities = provider.capabilities(forModel: request.model)
        let adapted = try request.adapted(to: capabilities, provider: provider.name, onUnsupported: policy)
        for warning in adapted.warnings { await context.log("warning: " + warning) }
        return try await submitJobs(adapted.request, capabilities: capabilities, to: provider, context: context)
    }

    /// `extra_body` for one provider: sections named after a provider (`extra_body.kling: {…}`) apply
    /// only to it, over the fields shared by all; nil when nothing is left.
    public static func extraBody(_ body: [String: JSONValue]?, for provider: String,
                                 providers: Set<String>) -> [String: JSONValue]? {
        guard let body else { return nil }
        var result = body.filter { !(providers.contains($0.key) && $0.value.objectValue != nil) }
        if let own = body[provider]?.objectValue { result.merge(own) { _, specific in specific } }
        return result.isEmpty ? nil : result
    }

    /// The providers to try, in order: `name` or `name/model`, alone or in a list.
    public static func choices(_ value: JSONValue?) -> [(provider: String, model: String?)] {
        let entries: [String]
        switch value {
        case .string(let text)?: entries = text.split(separator: ",").map(String.init)
        case .array(let items)?: entries = items.compactMap(\.stringValue)
        case nil, .null?: entries = ["local"]
        default: entries = []
        }
        return entries.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { entry in
            guard let slash = entry.firstIndex(of: "/") else { return (entry, nil) }
            return (String(entry[..<slash]), String(entry[entry.index(after: slash)...]))
        }
    }

    /// The unified request from the stage's parameters; image paths are resolved and must exist.
    func request(from context: any StageContext) throws -> VideoRequest {
        func file(_ name: String) throws -> String? {
            guard let text = context.string(name), !text.isEmpty else { return nil }
            return try context.localFile(text, parameter: name)
        }
        func text(_ name: String) -> String? {
            context.string(name).flatMap { $0.isEmpty ? nil : $0 }
        }
        let prompt = context.string("prompt") ?? ""
        let image = try file("image")
        if prompt.isEmpty && image == nil && context.string("remix_of") == nil {
            throw StageFailure(.invalidInput, "video.generate needs a prompt, an image, or both")
        }
        return VideoRequest(
            model: text("model"), prompt: prompt, seconds: context.double("seconds"), size: text("size"),
            aspectRatio: text("aspect_ratio"), resolution: text("resolution"), negativePrompt: text("negative_prompt"),
            seed: context.int("seed"), fps: context.int("fps"), image: image, lastFrame: try file("last_frame"),
            generateAudio: context.bool("generate_audio"), numOutputs: context.int("num_outputs"),
            referenceImages: try references(context), remixOf: text("remix_of"), style: text("style"),
            watermark: context.bool("watermark"), extraBody: context.parameters["extra_body"]?.objectValue)
    }

    /// `images`: every entry must be an existing local file.
    private func references(_ context: any StageContext) throws -> [String]? {
        guard let value = context.parameters["images"], !value.isNull else { return nil }
        guard let items = value.arrayValue else { throw StageFailure(.invalidInput, "parameter 'images' must be a list of paths") }
        return try items.enumerated().map { index, item in
            guard let path = item.stringValue, !path.isEmpty else {
                throw StageFailure(.invalidInput, "parameter 'images[\(index)]' must be a path")
            }
            return try context.localFile(path, parameter: "images[\(index)]")
        }
    }
}
