import Foundation
import VidflowCore

/// Runway's per-model limits and the pure mapping between vidflow's unified request and status and
/// Runway's wire shapes (`/v1/image_to_video`, `/v1/text_to_video`, the task object).
enum RunwayModels {
    /// What one Runway model accepts, from the official SDK's create params.
    struct Model: Sendable {
        var id: String
        /// `ratio` pixel pairs for image-to-video (empty: the model takes no `ratio`).
        var ratios: [String]
        /// `ratio` pixel pairs for text-to-video where they differ from `ratios`.
        var textRatios: [String]?
        var textToVideo = true
        var seconds: [Int]
        var defaultSeconds: Int
        var lastFrame = false
        var audio = false
        var negativePrompt = false
        var seed = false
        var maxPrompt = 1000
        /// The model takes `resolution` (`720p`/`1080p`) instead of `ratio` (happyhorse).
        var resolutionParameter = false
        /// Position-less `promptImage` entries (reference images) accepted: the seedance2 family only.
        var maxReferences = 0
    }

    /// Reference images the seedance2 family takes. Runway states no number; 9 is Seedance 2.0's image limit
    /// at ByteDance (unconfirmed for Runway).
    static let seedanceReferences = 9

    static let gen4Ratios = ["1280:720", "720:1280", "1104:832", "960:960", "832:1104", "1584:672"]
    static let gen3Ratios = ["1280:768", "768:1280"]
    static let veoRatios = ["1280:720", "720:1280", "1080:1920", "1920:1080"]
    static let seedanceFastRatios = ["992:432", "864:496", "752:560", "640:640", "560:752", "496:864",
                                     "1470:630", "1280:720", "1112:834", "960:960", "834:1112", "720:1280"]
    static let seedanceRatios = seedanceFastRatios + ["2206:946", "1920:1080", "1664:1248", "1440:1440", "1248:1664",
                                                      "1080:1920", "3840:1646", "3840:2160", "3840:2880", "3840:3840",
                                                      "2880:3840", "2160:3840"]

    /// Every model, the default first. `veo3` is gone (providers.md §12); `seed` is accepted on veo3.1,
    /// veo3.1_fast and the seedance2 family as well as gen4.x (§12).
    static let table: [Model] = [
        Model(id: "gen4.5", ratios: gen4Ratios, textRatios: ["1280:720", "720:1280"], seconds: Array(2...10),
              defaultSeconds: 5, seed: true),
        // gen4_turbo's durations are typed `int` only in the SDK (unconfirmed); 5 and 10 are what Runway
        // has always billed for it.
        Model(id: "gen4_turbo", ratios: gen4Ratios, textToVideo: false, seconds: [5, 10], defaultSeconds: 5, seed: true),
        // Gen-3 Alpha Turbo (Runway's API reference): image-to-video only, 5 or 10 s, two ratios, a first and
        // a last keyframe (`position: "last"` began with this model), a seed, and prompts up to 512 characters.
        Model(id: "gen3a_turbo", ratios: gen3Ratios, textToVideo: false, seconds: [5, 10], defaultSeconds: 10, lastFrame: true,
              seed: true, maxPrompt: 512),
        Model(id: "veo3.1", ratios: veoRatios, seconds: [4, 6, 8], defaultSeconds: 8, lastFrame: true, audio: true,
              negativePrompt: true, seed: true),
        Model(id: "veo3.1_fast", ratios: veoRatios, seconds: [4, 6, 8], defaultSeconds: 8, lastFrame: true, audio: true,
              negativePrompt: true, seed: true),
        // The seedance2 family's duration is an `int` in the SDK; 4–15 s is Seedance 2.0's range at ByteDance
        // (unconfirmed for Runway).
        Model(id: "seedance2", ratios: seedanceRatios, seconds: Array(4...15), defaultSeconds: 5, lastFrame: true,
              audio: true, seed: true, maxPrompt: 3500, maxReferences: seedanceReferences),
        Model(id: "seedance2_fast", ratios: seedanceFastRatios, seconds: Array(4...15), defaultSeconds: 5, lastFrame: true,
              audio: true, seed: true, maxPrompt: 3500, maxReferences: seedanceReferences),
        Model(id: "seedance2_mini", ratios: seedanceFastRatios, seconds: Array(4...15), defaultSeconds: 5, lastFrame: true,
              audio: true, seed: true, maxPrompt: 3500, maxReferences: seedanceReferences),
        // happyhorse: the output follows the input image; `resolution` picks the tier. Durations are an
        // `int` in the SDK (range unconfirmed; 3–15 assumed).
        Model(id: "happyhorse_1_0", ratios: [], seconds: Array(3...15), defaultSeconds: 5, maxPrompt: 2500,
              resolutionParameter: true),
        Model(id: "gemini_omni_flash", ratios: ["1280:720", "720:1280"], seconds: Array(3...10), defaultSeconds: 5),
    ]

    static func model(_ id: String?) -> Model? {
        guard let id else { return table.first }
        return table.first { $0.id == id }
    }

    // MARK: Capabilities

    static func capabilities(_ model: Model) -> ProviderCapabilities {
        let pairs = model.ratios + (model.textRatios ?? []).filter { !model.ratios.contains($0) }
        var aspects: [String] = []
        var tiers: [String] = []
        for pair in pairs {
            if let label = aspectLabel(pair), !aspects.contains(label) { aspects.append(label) }
            if let tier = tier(pair), !tiers.contains(tier) { tiers.append(tier) }
        }
        if model.resolutionParameter { tiers = ["720p", "1080p"] }
        return ProviderCapabilities(
            models: [model.id] + table.map(\.id).filter { $0 != model.id },
            allowedSeconds: model.seconds.map(Double.init),
            secondsRange: Double(model.seconds.min() ?? 1)...Double(model.seconds.max() ?? 10),
            defaultSeconds: Double(model.defaultSeconds),
            sizes: pairs.map { $0.replacingOccurrences(of: ":", with: "x") },
            aspectRatios: aspects, resolutions: tiers, imageInput: true, lastFrame: model.lastFrame, audio: model.audio,
            negativePrompt: model.negativePrompt, seed: model.seed, extraBody: true, maxPromptLength: model.maxPrompt,
            textToVideo: model.textToVideo,
            // One task makes one video (num_outputs: fan out N tasks); Runway has no remix of an earlier task
            // and no watermark switch on these endpoints; reference images only for the seedance2 family.
            maxReferenceImages: model.maxReferences)
    }

    /// `16:9`, `4:3`, `21:9`, ... for a pixel pair (the nearest common ratio).
    static func aspectLabel(_ pair: String) -> String? {
        guard let value = VideoRequest.ratioValue(pair) else { return nil }
        let common = ["21:9", "16:9", "4:3", "1:1", "3:4", "9:16", "9:21"]
        return common.min { abs(log(VideoRequest.ratioValue($0) ?? 1) - log(value)) < abs(log(VideoRequest.ratioValue($1) ?? 1) - log(value)) }
    }

    /// The resolution tier of a pixel pair, by pixel count (Runway's 960:960 and 1584:672 are 720p-class).
    static func tier(_ pair: String) -> String? {
        let parts = pair.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2 else { return nil }
        let pixels = parts[0] * parts[1]
        switch pixels {
        case ..<600_000: return "480p"
        case ..<1_500_000: return "720p"
        case ..<4_000_000: return "1080p"
        default: return "4k"
        }
    }

    // MARK: Request

    /// The create call for `request`: path and JSON body. Images are read here and sent inline as data
    /// URIs (Runway accepts them up to 5 MB); `extra_body` is merged last. Reference images (seedance2
    /// family) are position-less `promptImage` entries after the first/last frame, so a request with
    /// references goes to `image_to_video` even without a first frame.
    static func create(_ request: VideoRequest, provider: String) throws(ProviderError) -> (path: String, body: JSONValue) {
        guard let model = model(request.model) else {
            throw ProviderError(provider: provider, operation: "submit", kind: .invalidInput,
                                message: "unknown Runway model '\(request.model ?? "")'", jobCertainlyNotCreated: true)
        }
        var body: [String: JSONValue] = ["model": .string(model.id)]
        if !request.prompt.isEmpty { body["promptText"] = .string(request.prompt) }
        let path: String
        let references = request.referenceImages ?? []
        if !references.isEmpty, model.maxReferences == 0 {
            throw ProviderError(provider: provider, operation: "submit", kind: .invalidInput,
                                message: "images: \(model.id) takes no reference images (only the seedance2 family does)",
                                jobCertainlyNotCreated: true)
        }
        if request.image != nil || !references.isEmpty {
            path = "/v1/image_to_video"
            var entries: [JSONValue] = []
            if let imagePath = request.image {
                entries.append(["uri": .string(try dataURI(imagePath, field: "image", provider: provider)), "position": "first"])
            }
            if let lastPath = request.lastFrame {
                entries.append(["uri": .string(try dataURI(lastPath, field: "last_frame", provider: provider)), "position": "last"])
            }
            for (index, reference) in references.enumerated() {
                entries.append(["uri": .string(try dataURI(reference, field: "images[\(index)]", provider: provider))])
            }
            // A lone first frame stays the plain string form the SDK documents first.
            if entries.count == 1, request.image != nil, let uri = entries[0]["uri"] {
                body["promptImage"] = uri
            } else {
                body["promptImage"] = .array(entries)
            }
        } else {
            path = "/v1/text_to_video"
        }
        let choices = path == "/v1/text_to_video" ? (model.textRatios ?? model.ratios) : model.ratios
        if let ratio = ratio(for: request, choices: choices) { body["ratio"] = .string(ratio) }
        if model.resolutionParameter, let resolution = request.resolution { body["resolution"] = .string(resolution.lowercased()) }
        body["duration"] = .int(Int((request.seconds ?? Double(model.defaultSeconds)).rounded()))
        if model.seed, let seed = request.seed { body["seed"] = .int(seed) }
        if model.negativePrompt, let negative = request.negativePrompt { body["negativePrompt"] = .string(negative) }
        if model.audio, let audio = request.generateAudio { body["audio"] = .bool(audio) }
        for (key, value) in request.extraBody ?? [:] { body[key] = value }
        return (path, .object(body))
    }

    private static func dataURI(_ path: String, field: String, provider: String) throws(ProviderError) -> String {
        let media = try MediaInput.read(path, provider: provider, field: field)
        let uri = media.dataURI
        guard uri.utf8.count <= 5_000_000 else {
            throw ProviderError(provider: provider, operation: "read \(field)", kind: .invalidInput,
                                message: "\(field) is too large for a Runway data URI (at most 5 MB encoded)",
                                jobCertainlyNotCreated: true)
        }
        return uri
    }

    /// The model's `ratio` for the request: the exact size when listed, else the pair nearest the asked
    /// aspect ratio (16:9 by default) within the asked resolution tier (720p by default).
    static func ratio(for request: VideoRequest, choices: [String]) -> String? {
        guard !choices.isEmpty else { return nil }
        var target = request.aspectRatio.flatMap(VideoRequest.ratioValue) ?? 16.0 / 9.0
        var wantedTier = request.resolution?.lowercased() ?? "720p"
        if let size = request.size, let parsed = VideoRequest.parseSize(size) {
            let pair = "\(parsed.width):\(parsed.height)"
            if choices.contains(pair) { return pair }
            target = Double(parsed.width) / Double(parsed.height)
            wantedTier = tier(pair) ?? wantedTier
        }
        let tiered = choices.filter { tier($0) == wantedTier }
        let pool = tiered.isEmpty ? choices : tiered
        return pool.min { abs(log(VideoRequest.ratioValue($0) ?? 1) - log(target)) < abs(log(VideoRequest.ratioValue($1) ?? 1) - log(target)) }
    }

    // MARK: Status

    /// The unified status of a Runway task object.
    static func status(of task: JSONValue, pollAfterMs: Int) -> VideoJobStatus? {
        let cost = task["cost"].flatMap { $0.isNull ? nil : $0 } ?? task["estimatedCost"].flatMap { $0.isNull ? nil : $0 }
        switch task["status"]?.stringValue {
        case "PENDING"?, "THROTTLED"?:
            return VideoJobStatus(state: .queued, progress: 0, pollAfterMs: pollAfterMs, cost: cost)
        case "RUNNING"?:
            // `progress` is a float; its 0–1 range is unconfirmed, so a value above 1 is read as a percentage.
            let progress = task["progress"]?.doubleValue.map { value in Int((value <= 1 ? value * 100 : value).rounded()) }
            return VideoJobStatus(state: .running, progress: progress.map { min(99, max(0, $0)) }, pollAfterMs: pollAfterMs,
                                  cost: cost)
        case "SUCCEEDED"?:
            let url = task["output"]?.arrayValue?.first?.stringValue
            return VideoJobStatus(state: .succeeded, progress: 100, result: url.map { ResultLocation(url: $0) }, cost: cost)
        case "FAILED"?:
            let code = task["failureCode"]?.stringValue
            let reason = task["failure"]?.stringValue ?? "the task failed"
            let safety = code?.uppercased().hasPrefix("SAFETY") == true
            return VideoJobStatus(state: .failed, errorMessage: code.map { "\(reason) (\($0))" } ?? reason,
                                  errorKind: safety ? .rejectedContent : .providerFailed, cost: cost)
        case "CANCELLED"?:
            return VideoJobStatus(state: .cancelled, errorMessage: "the task was cancelled at Runway", errorKind: .providerFailed,
                                  cost: cost)
        default:
            return nil
        }
    }
}
