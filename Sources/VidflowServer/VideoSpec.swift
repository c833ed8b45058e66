import Foundation
import VidflowProviders
import VidflowCore

/// One video to make, in the unified shape both `/v1/video/generate` and `/v1/videos` map onto;
/// it becomes the standard chain: (upload →) generate → poll → download → transcode → thumbnail.
struct VideoSpec: Sendable {
    var prompt: String
    var provider: String
    var model: String?
    var seconds: Double?
    var size: String?
    var aspectRatio: String?
    var resolution: String?
    var negativePrompt: String?
    var seed: Int?
    var generateAudio: Bool?
    var fps: Int?
    /// Videos from one job, where the model makes several (`video_urls` lists them all).
    var numOutputs: Int?
    /// A style preset (only where the model has them).
    var style: String?
    /// Ask the provider to rewrite the prompt (sent as `extra_body.enhance_prompt` where the model takes extra fields).
    var enhancePrompt: Bool?
    /// What the request asked for that the model cannot do and was dropped or changed, shown on the task.
    var warnings: [String] = []
    /// An http(s) URL, a data URI or a local path inside the user's storage.
    var image: String?
    var lastFrame: String?
    var extraBody: [String: JSONValue]?
    var remixedFrom: String?
    /// The task this one retries, and how many retries of the first task it is (1 for the first retry).
    var retryOf: String?
    var retryNumber: Int?
    /// From `/v1/config`: the poll stage's longest wait, and the aspect ratio when no size is given.
    var pollInterval: Double?
    var defaultAspectRatio: String?

    /// The provider a model id names: `provider/model` (a registered provider name before the slash),
    /// a model some provider lists (`veo-3.1-generate-preview` → google, `gen4_turbo` → runway), a
    /// family prefix (`sora-*` → openai, `kling-*`, `wan*` → dashscope, `fal-ai/…` → fal), else `local`.
    static func provider(forModel model: String, known providers: ProviderRegistry? = nil) -> (provider: String, model: String?) {
        let lower = model.lowercased()
        let names = Set(providers?.names ?? ["local", "openai", "google", "runway", "kling", "seedance", "fal", "replicate",
                                             "dashscope", "yunwu", "vertex"])
        if let slash = model.firstIndex(of: "/"), names.contains(String(model[..<slash]).lowercased()) {
            return (String(model[..<slash]).lowercased(), String(model[model.index(after: slash)...]))
        }
        if lower == "local" || lower.hasPrefix("local-") { return ("local", lower == "local" ? nil : model) }
        if let providers {
            for name in providers.names where name != "local" {
                if providers.provider(name)?.capabilities.models.contains(model) == true { return (name, model) }
            }
        }
        let families: [(prefix: String, provider: String)] = [
            ("sora", "openai"), ("veo", "google"), ("gen", "runway"), ("runway", "runway"), ("kling", "kling"),
            ("seedance", "seedance"), ("doubao-seedance", "seedance"), ("dreamina", "seedance"), ("wan", "dashscope"),
            ("fal-ai/", "fal"),
        ]
        if let family = families.first(where: { lower.hasPrefix($0.prefix) }) { return (family.provider, model) }
        return ("local", model)
    }

    /// The workflow definition document of the chain.
    func definition() -> JSONValue {
        var stages: [JSONValue] = []
        var generate: [String: JSONValue] = ["provider": .string(provider), "prompt": .string(prompt)]
        if let image {
            stages.append(["id": "upload", "uses": "image.upload", "with": ["source": .string(image)]])
            generate["image"] = "${{ stages.upload.outputs.file }}"
        }
        if let lastFrame {
            stages.append(["id": "upload_last", "uses": "image.upload", "needs": [], "with": ["source": .string(lastFrame)]])
            generate["last_frame"] = "${{ stages.upload_last.outputs.file }}"
        }
        if let model { generate["model"] = .string(model) }
        if let seconds { generate["seconds"] = seconds.rounded() == seconds ? .int(Int(seconds)) : .double(seconds) }
        if let size { generate["size"] = .string(size) }
        if let aspect = aspectRatio ?? (size == nil && resolution == nil ? defaultAspectRatio : nil) {
            generate["aspect_ratio"] = .string(aspect)
        }
        if let resolution { generate["resolution"] = .string(resolution) }
        if let negativePrompt { generate["negative_prompt"] = .string(negativePrompt) }
        if let seed { generate["seed"] = .int(seed) }
        if let generateAudio { generate["generate_audio"] = .bool(generateAudio) }
        if let fps { generate["fps"] = .int(fps) }
        if let numOutputs { generate["num_outputs"] = .int(numOutputs) }
        if let style { generate["style"] = .string(style) }
        var extra = extraBody
        if let enhancePrompt { extra = (extra ?? [:]).merging(["enhance_prompt": .bool(enhancePrompt)]) { given, _ in given } }
        if let extra { generate["extra_body"] = .object(extra) }
        let uploads = stages.compactMap { $0["id"] }
        stages.append(["id": "generate", "uses": "video.generate", "needs": .array(uploads), "with": .object(generate)])
        var poll: [String: JSONValue] = ["job_id": "${{ stages.generate.outputs.job_id }}",
                                         "provider": "${{ stages.generate.outputs.provider }}", "restart_from": "generate"]
        if let pollInterval {
            poll["max_interval"] = .double(pollInterval)
            poll["interval"] = .double(min(0.5, pollInterval))
        }
        stages.append(["id": "poll", "uses": "video.poll", "needs": ["generate"], "timeout": "15m", "with": .object(poll)])
        stages.append(["id": "download", "uses": "video.download", "needs": ["poll"],
                       "with": ["url": "${{ stages.poll.outputs.url }}", "job_id": "${{ stages.generate.outputs.job_id }}",
                                "provider": "${{ stages.generate.outputs.provider }}", "restart_from": "generate"]])
        stages.append(["id": "transcode", "uses": "ffmpeg.transcode", "needs": ["download"], "timeout": "30m",
                       "with": ["input": "${{ stages.download.outputs.file }}"]])
        stages.append(["id": "thumbnail", "uses": "ffmpeg.thumbnail", "needs": ["transcode"],
                       "with": ["input": "${{ stages.transcode.outputs.file }}"]])
        return ["name": "video", "defaults": ["retry": ["max_attempts": 3, "initial_interval": "1s", "max_interval": "30s"]],
                "stages": .array(stages)]
    }

    /// What is recorded with the run, for task views, history and the OpenAI facade.
    var meta: JSONValue {
        var object: [String: JSONValue] = ["kind": "video", "prompt": .string(prompt), "provider": .string(provider)]
        object["model"] = model.map(JSONValue.string) ?? .string(provider)
        if let seconds { object["seconds"] = .double(seconds) }
        if let size { object["size"] = .string(size) }
        if let aspectRatio { object["aspect_ratio"] = .string(aspectRatio) }
        if let resolution { object["resolution"] = .string(resolution) }
        if let remixedFrom { object["remixed_from"] = .string(remixedFrom) }
        if let retryOf { object["retry_of"] = .string(retryOf) }
        if let retryNumber { object["retry_number"] = .int(retryNumber) }
        if !warnings.isEmpty { object["warnings"] = .array(warnings.map(JSONValue.string)) }
        object["spec"] = specJSON
        return .object(object)
    }

    /// The spec itself, so a remix can start from it.
    var specJSON: JSONValue {
        var object: [String: JSONValue] = ["prompt": .string(prompt), "provider": .string(provider)]
        object["model"] = model.map(JSONValue.string) ?? .null
        object["seconds"] = seconds.map(JSONValue.double) ?? .null
        object["size"] = size.map(JSONValue.string) ?? .null
        object["aspect_ratio"] = aspectRatio.map(JSONValue.string) ?? .null
        object["resolution"] = resolution.map(JSONValue.string) ?? .null
        object["negative_prompt"] = negativePrompt.map(JSONValue.string) ?? .null
        object["seed"] = seed.map(JSONValue.int) ?? .null
        object["generate_audio"] = generateAudio.map(JSONValue.bool) ?? .null
        object["image"] = image.map(JSONValue.string) ?? .null
        object["last_frame"] = lastFrame.map(JSONValue.string) ?? .null
        object["extra_body"] = extraBody.map(JSONValue.object) ?? .null
        if let fps { object["fps"] = .int(fps) }
        if let numOutputs { object["num_outputs"] = .int(numOutputs) }
        if let style { object["style"] = .string(style) }
        if let enhancePrompt { object["enhance_prompt"] = .bool(enhancePrompt) }
        if let defaultAspectRatio { object["default_aspect_ratio"] = .string(defaultAspectRatio) }
        return .object(object)
    }

    /// Rebuilds a spec recorded by `specJSON`.
    init?(recorded value: JSONValue?) {
        guard let value, let prompt = value["prompt"]?.stringValue, let provider = value["provider"]?.stringValue else { return nil }
        self.init(prompt: prompt, provider: provider)
        model = value["model"]?.stringValue
        seconds = value["seconds"]?.doubleValue
        size = value["size"]?.stringValue
        aspectRatio = value["aspect_ratio"]?.stringValue
        resolution = value["resolution"]?.stringValue
        negativePrompt = value["negative_prompt"]?.stringValue
        seed = value["seed"]?.intValue
        generateAudio = value["generate_audio"]?.boolValue
        image = value["image"]?.stringValue
        lastFrame = value["last_frame"]?.stringValue
        extraBody = value["extra_body"]?.objectValue
        fps = value["fps"]?.intValue
        numOutputs = value["num_outputs"]?.intValue
        style = value["style"]?.stringValue
        enhancePrompt = value["enhance_prompt"]?.boolValue
        defaultAspectRatio = value["default_aspect_ratio"]?.stringValue
    }

    init(prompt: String, provider: String) {
        self.prompt = prompt
        self.provider = provider
    }
}
