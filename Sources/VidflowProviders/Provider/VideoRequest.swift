import VidflowCore

/// One video to generate, in the provider-neutral shape every adapter maps onto its own API.
public struct VideoRequest: Sendable, Hashable, Codable {
    /// The provider's model id; nil means the provider's default model.
    public var model: String?
    public var prompt: String
    /// Clip length in seconds; nil means the provider's default.
    public var seconds: Double?
    /// Exact pixel size `WIDTHxHEIGHT` (e.g. `1280x720`); wins over `aspectRatio`/`resolution`.
    public var size: String?
    /// `16:9`, `9:16`, `1:1`, ...
    public var aspectRatio: String?
    /// `480p`, `720p`, `1080p`, ...
    public var resolution: String?
    public var negativePrompt: String?
    public var seed: Int?
    public var fps: Int?
    /// A local path of the first frame / reference image.
    public var image: String?
    /// A local path of the last frame, for providers that interpolate between two images.
    public var lastFrame: String?
    public var generateAudio: Bool?
    /// How many videos one job should make (only where a provider makes several per job).
    public var numOutputs: Int?
    /// Local paths of reference images (subject / style references), beyond the first frame.
    public var referenceImages: [String]?
    /// The provider's id of an earlier video to remix or extend with this prompt.
    public var remixOf: String?
    /// A style preset, where the model offers them.
    public var style: String?
    /// Ask for (true) or against (false) the provider's visible watermark.
    public var watermark: Bool?
    /// Provider-specific fields merged into the wire request as they are.
    public var extraBody: [String: JSONValue]?

    public init(model: String? = nil, prompt: String, seconds: Double? = nil, size: String? = nil,
                aspectRatio: String? = nil, resolution: String? = nil, negativePrompt: String? = nil,
                seed: Int? = nil, fps: Int? = nil, image: String? = nil, lastFrame: String? = nil,
                generateAudio: Bool? = nil, numOutputs: Int? = nil, referenceImages: [String]? = nil,
                remixOf: String? = nil, style: String? = nil, watermark: Bool? = nil, extraBody: [String: JSONValue]? = nil) {
        self.model = model
        self.prompt = prompt
        self.seconds = seconds
        self.size = size
        self.aspectRatio = aspectRatio
        self.resolution = resolution
        self.negativePrompt = negativePrompt
        self.seed = seed
        self.fps = fps
        self.image = image
        self.lastFrame = lastFrame
        self.generateAudio = generateAudio
        self.numOutputs = numOutputs
        self.referenceImages = referenceImages
        self.remixOf = remixOf
        self.style = style
        self.watermark = watermark
        self.extraBody = extraBody
    }

    /// The request as a JSON value (what `submitOnce` records).
    public var json: JSONValue {
        var object: [String: JSONValue] = ["prompt": .string(prompt)]
        object["model"] = model.map { .string($0) }
        object["seconds"] = seconds.map { .double($0) }
        object["size"] = size.map { .string($0) }
        object["aspect_ratio"] = aspectRatio.map { .string($0) }
        object["resolution"] = resolution.map { .string($0) }
        object["negative_prompt"] = negativePrompt.map { .string($0) }
        object["seed"] = seed.map { .int($0) }
        object["fps"] = fps.map { .int($0) }
        object["image"] = image.map { .string($0) }
        object["last_frame"] = lastFrame.map { .string($0) }
        object["generate_audio"] = generateAudio.map { .bool($0) }
        object["num_outputs"] = numOutputs.map { .int($0) }
        object["images"] = referenceImages.map { .array($0.map(JSONValue.string)) }
        object["remix_of"] = remixOf.map { .string($0) }
        object["style"] = style.map { .string($0) }
        object["watermark"] = watermark.map { .bool($0) }
        object["extra_body"] = extraBody.map { .object($0) }
        return .object(object)
    }
}
