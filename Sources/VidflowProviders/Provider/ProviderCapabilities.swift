/// What a provider accepts, so a request can be checked and trimmed before anything is paid for.
public struct ProviderCapabilities: Sendable, Hashable {
    /// Model ids accepted; the first is the default.
    public var models: [String]
    /// Clip lengths accepted in seconds; nil means any length in `secondsRange`.
    public var allowedSeconds: [Double]?
    public var secondsRange: ClosedRange<Double>
    public var defaultSeconds: Double
    /// Exact sizes accepted (`1280x720`); empty with `arbitrarySizes` false means sizes are not accepted.
    public var sizes: [String]
    /// Any even `WIDTHxHEIGHT` is accepted.
    public var arbitrarySizes: Bool
    public var aspectRatios: [String]
    public var resolutions: [String]
    public var imageInput: Bool
    public var lastFrame: Bool
    public var audio: Bool
    public var negativePrompt: Bool
    public var seed: Bool
    public var fps: Bool
    public var extraBody: Bool
    /// Longest prompt accepted, in characters.
    public var maxPromptLength: Int?
    /// A prompt alone (no image) is enough.
    public var textToVideo: Bool
    /// Model ids outside `models` are accepted too (Replicate and fal host thousands).
    public var anyModel: Bool
    /// Videos one job can make (`num_outputs`); 1 for most providers.
    public var maxOutputs: Int
    /// Reference images accepted besides the first frame (`images`); 0: none.
    public var maxReferenceImages: Int
    /// An earlier video can be remixed or extended (`remix_of`).
    public var remix: Bool
    /// Style presets accepted (`style`); empty: none.
    public var styles: [String]
    /// The watermark can be switched (`watermark`).
    public var watermark: Bool
    /// Model ids clients still use, mapped to the current id they mean (`veo-2` → `veo-2.0-generate-001`).
    public var modelAliases: [String: String]
    /// Model ids the provider retired, with the ids that replace them (named in the error).
    public var retiredModels: [String: [String]]
    /// `extra_body` keys the API refuses although the model takes other extra fields (the Gemini API refuses
    /// `enhance_prompt`, which Vertex AI takes): dropped before anything is sent, with a warning in the run log.
    public var refusedExtraBodyKeys: Set<String> = []

    public init(models: [String], allowedSeconds: [Double]? = nil, secondsRange: ClosedRange<Double> = 1...60,
                defaultSeconds: Double = 4, sizes: [String] = [], arbitrarySizes: Bool = false,
                aspectRatios: [String] = [], resolutions: [String] = [], imageInput: Bool = false,
                lastFrame: Bool = false, audio: Bool = false, negativePrompt: Bool = false, seed: Bool = false,
                fps: Bool = false, extraBody: Bool = false, maxPromptLength: Int? = nil, textToVideo: Bool = true,
                anyModel: Bool = false, maxOutputs: Int = 1, maxReferenceImages: Int = 0, remix: Bool = false,
                styles: [String] = [], watermark: Bool = false, modelAliases: [String: String] = [:],
                retiredModels: [String: [String]] = [:]) {
        self.models = models
        self.allowedSeconds = allowedSeconds
        self.secondsRange = secondsRange
        self.defaultSeconds = defaultSeconds
        self.sizes = sizes
        self.arbitrarySizes = arbitrarySizes
        self.aspectRatios = aspectRatios
        self.resolutions = resolutions
        self.imageInput = imageInput
        self.lastFrame = lastFrame
        self.audio = audio
        self.negativePrompt = negativePrompt
        self.seed = seed
        self.fps = fps
        self.extraBody = extraBody
        self.maxPromptLength = maxPromptLength
        self.textToVideo = textToVideo
        self.anyModel = anyModel
        self.maxOutputs = maxOutputs
        self.maxReferenceImages = maxReferenceImages
        self.remix = remix
        self.styles = styles
        self.watermark = watermark
        self.modelAliases = modelAliases
        self.retiredModels = retiredModels
    }

    /// Most videos one request may ask for: `maxOutputs` where one job makes several, else
    /// `maxFannedOutputs` (one provider job per video).
    public var outputLimit: Int { maxOutputs > 1 ? maxOutputs : Self.maxFannedOutputs }

    /// Most provider jobs one `video.generate` stage fans out into for `num_outputs` (each one paid).
    public static let maxFannedOutputs = 8

    /// Provider jobs `count` videos take: one when a job makes several (`maxOutputs` > 1), else one per video.
    public func jobs(forOutputs count: Int?) -> Int {
        let wanted = max(1, count ?? 1)
        return maxOutputs > 1 ? 1 : min(wanted, Self.maxFannedOutputs)
    }

    /// The current id for `model`: an alias resolved, anything else as given.
    public func currentModel(_ model: String) -> String { modelAliases[model] ?? model }

    /// This description with `models` set to just `model` (for a per-model table).
    public func only(_ model: String) -> ProviderCapabilities {
        var copy = self
        copy.models = [model]
        return copy
    }
}
