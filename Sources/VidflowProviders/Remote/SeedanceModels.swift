import Foundation

/// What each Seedance model accepts on Volcengine Ark / BytePlus ModelArk, and how unified sizes map
/// onto Ark's `resolution` + `ratio` pair.
///
/// Model ids: Volcengine spells them `doubao-seedance-…`, BytePlus `seedance-…` (2.0: `dreamina-seedance-…`);
/// both families are listed so a key of either region works. Endpoint ids (`ep-…`) are accepted and
/// described with the default model's capabilities.
enum SeedanceModels {
    /// One model family's limits.
    struct Entry {
        var ids: [String]
        var seconds: ClosedRange<Double>
        var resolutions: [String]
        var textToVideo = true
        var imageInput = true
        var lastFrame = true
        var audio = false
        /// `reference_image` content items accepted (0: none).
        var referenceImages = 0
    }

    /// Ark's `ratio` values (`adaptive`: follow the first frame).
    static let ratios = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"]

    /// Families, the BytePlus default first. Durations: 1.x 2–12 s, 2.0 4–15 s (providers.md §5);
    /// resolutions per family from the ModelArk model list (2.0 1080p and 1.5 1080p unconfirmed).
    /// Reference images (role `reference_image`): 1.0 lite i2v takes 1–4, the 2.0 family up to 9 (its
    /// multimodal-reference mode); neither mixes them with a first/last frame. Counts are from the ModelArk
    /// guide and third-party mirrors (unconfirmed in an SDK).
    static let entries: [Entry] = [
        Entry(ids: ["seedance-1-0-pro-250528", "doubao-seedance-1-0-pro-250528"], seconds: 2...12,
              resolutions: ["480p", "720p", "1080p"]),
        Entry(ids: ["seedance-1-0-pro-fast-251015", "doubao-seedance-1-0-pro-fast-251015"], seconds: 2...12,
              resolutions: ["480p", "720p", "1080p"], lastFrame: false),
        Entry(ids: ["seedance-1-5-pro-251215", "doubao-seedance-1-5-pro-251215"], seconds: 4...12,
              resolutions: ["480p", "720p", "1080p"], audio: true),
        Entry(ids: ["seedance-1-0-lite-t2v-250428", "doubao-seedance-1-0-lite-t2v-250428"], seconds: 2...12,
              resolutions: ["480p", "720p", "1080p"], imageInput: false, lastFrame: false),
        Entry(ids: ["seedance-1-0-lite-i2v-250428", "doubao-seedance-1-0-lite-i2v-250428"], seconds: 2...12,
              resolutions: ["480p", "720p", "1080p"], textToVideo: false, referenceImages: 4),
        Entry(ids: ["dreamina-seedance-2-0-260128", "doubao-seedance-2-0-260128"], seconds: 4...15,
              resolutions: ["480p", "720p", "1080p"], audio: true, referenceImages: 9),
        Entry(ids: ["dreamina-seedance-2-0-fast-260128", "doubao-seedance-2-0-fast-260128"], seconds: 4...15,
              resolutions: ["480p", "720p"], audio: true, referenceImages: 9),
    ]

    static var allIDs: [String] { entries.flatMap(\.ids) }

    /// The default model for a base URL: the Beijing host wants the `doubao-` spelling.
    static func defaultModel(beijing: Bool) -> String {
        beijing ? "doubao-seedance-1-0-pro-250528" : "seedance-1-0-pro-250528"
    }

    static func entry(for model: String) -> Entry? {
        entries.first { $0.ids.contains(model) }
    }

    /// Output pixel sizes by resolution and ratio (the Seedance 1.x table; 2.0/1.5 variants in `extraSizes`).
    static let sizes: [String: [String: String]] = [
        "480p": ["16:9": "864x496", "4:3": "752x560", "1:1": "640x640", "3:4": "560x752", "9:16": "496x864", "21:9": "992x432"],
        "720p": ["16:9": "1280x720", "4:3": "1112x834", "1:1": "960x960", "3:4": "834x1112", "9:16": "720x1280",
                 "21:9": "1470x630"],
        "1080p": ["16:9": "1920x1080", "4:3": "1664x1248", "1:1": "1440x1440", "3:4": "1248x1664", "9:16": "1080x1920",
                  "21:9": "2206x946"],
    ]

    /// Sizes newer models report for the same tiers (read as their tier + nearest ratio).
    static let extraSizes: [String: String] = [
        "864x480": "480p", "480x864": "480p", "736x544": "480p", "544x736": "480p", "960x416": "480p", "416x960": "480p",
        "832x480": "480p", "480x832": "480p", "624x624": "480p", "1248x704": "720p", "704x1248": "720p",
        "1120x832": "720p", "832x1120": "720p", "1504x640": "720p", "640x1504": "720p", "1920x1088": "1080p",
        "1088x1920": "1080p", "2176x928": "1080p", "928x2176": "1080p",
    ]

    /// Every exact size a model with `resolutions` produces.
    static func sizeList(_ resolutions: [String]) -> [String] {
        resolutions.flatMap { tier in
            ratios.compactMap { sizes[tier]?[$0] } + extraSizes.filter { $0.value == tier }.keys.sorted()
        }
    }

    /// Ark's `resolution` and `ratio` for an exact `WIDTHxHEIGHT` size.
    static func resolutionAndRatio(forSize size: String) -> (resolution: String, ratio: String)? {
        for (tier, table) in sizes {
            if let ratio = table.first(where: { $0.value == size })?.key { return (tier, ratio) }
        }
        guard let parsed = VideoRequest.parseSize(size) else { return nil }
        let tier = extraSizes[size] ?? {
            let short = min(parsed.width, parsed.height)
            return short <= 560 ? "480p" : short <= 840 ? "720p" : "1080p"
        }()
        let ratio = VideoRequest.nearestRatio("\(parsed.width):\(parsed.height)", in: ratios) ?? "16:9"
        return (tier, ratio)
    }

    /// `true`/`false`/`1`/`0` from an option string.
    static func flag(_ text: String?) -> Bool? {
        switch text?.lowercased() {
        case "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }
}
