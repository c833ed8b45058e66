import Foundation

/// What each Alibaba Wan model on DashScope accepts (providers.md §11), and the `W*H` size tiers of
/// the text-to-video models.
enum DashScopeModels {
    /// How a model takes its inputs.
    enum Kind: Sendable {
        /// Text to video, `parameters.size` (`W*H`).
        case textToVideo
        /// First image to video, `input.img_url`, `parameters.resolution`.
        case imageToVideo
        /// First (+ last) frame, `input.first_frame_url` / `last_frame_url`, on the image2video path.
        case keyFrames
        /// wan2.7 text to video: `parameters.resolution` + `ratio`.
        case textToVideo27
        /// wan2.7 image to video: `input.media[]` of `{type, url}`.
        case imageToVideo27
    }

    /// One model's limits. `seconds` nil with `range`: any whole second in it; `[5]`: fixed, not sent.
    struct Entry: Sendable {
        var ids: [String]
        var kind: Kind
        var tiers: [String]
        var seconds: [Double]?
        var range: ClosedRange<Double> = 5...5
        /// The model adds its own sound (2.5 and later).
        var sound = false
        /// `parameters.audio` switches sound off (wan2.6-i2v-flash only).
        var audioSwitch = false
        var maxPrompt = 800
    }

    static let entries: [Entry] = [
        Entry(ids: ["wan2.6-i2v", "wan2.6-i2v-us"], kind: .imageToVideo, tiers: ["720p", "1080p"], seconds: [5, 10, 15],
              range: 5...15, sound: true, maxPrompt: 1500),
        Entry(ids: ["wan2.6-i2v-flash"], kind: .imageToVideo, tiers: ["720p", "1080p"], seconds: nil, range: 2...15,
              sound: true, audioSwitch: true, maxPrompt: 1500),
        Entry(ids: ["wan2.5-i2v-preview"], kind: .imageToVideo, tiers: ["480p", "720p", "1080p"], seconds: [5, 10],
              range: 5...10, sound: true, maxPrompt: 1500),
        Entry(ids: ["wan2.2-i2v-flash"], kind: .imageToVideo, tiers: ["480p", "720p", "1080p"], seconds: [5]),
        Entry(ids: ["wan2.2-i2v-plus"], kind: .imageToVideo, tiers: ["480p", "1080p"], seconds: [5]),
        Entry(ids: ["wanx2.1-i2v-turbo", "wan2.1-i2v-turbo"], kind: .imageToVideo, tiers: ["480p", "720p"],
              seconds: [3, 4, 5], range: 3...5),
        Entry(ids: ["wanx2.1-i2v-plus", "wan2.1-i2v-plus"], kind: .imageToVideo, tiers: ["720p"], seconds: [5]),
        Entry(ids: ["wan2.6-t2v", "wan2.6-t2v-us"], kind: .textToVideo, tiers: ["720p", "1080p"], seconds: [5, 10, 15],
              range: 5...15, sound: true, maxPrompt: 1500),
        Entry(ids: ["wan2.5-t2v-preview"], kind: .textToVideo, tiers: ["480p", "720p", "1080p"], seconds: [5, 10],
              range: 5...10, sound: true, maxPrompt: 1500),
        Entry(ids: ["wan2.2-t2v-plus"], kind: .textToVideo, tiers: ["480p", "1080p"], seconds: [5]),
        Entry(ids: ["wanx2.1-t2v-turbo", "wan2.1-t2v-turbo"], kind: .textToVideo, tiers: ["480p", "720p"], seconds: [5]),
        Entry(ids: ["wanx2.1-t2v-plus", "wan2.1-t2v-plus"], kind: .textToVideo, tiers: ["720p"], seconds: [5]),
        Entry(ids: ["wan2.2-kf2v-flash"], kind: .keyFrames, tiers: ["480p", "720p", "1080p"], seconds: [5]),
        Entry(ids: ["wanx2.1-kf2v-plus", "wan2.1-kf2v-plus"], kind: .keyFrames, tiers: ["720p"], seconds: [5]),
        // wan2.7 limits are third-party only (providers.md §11): 720P/1080P, 2–15 s.
        Entry(ids: ["wan2.7-t2v"], kind: .textToVideo27, tiers: ["720p", "1080p"], seconds: nil, range: 2...15,
              sound: true, maxPrompt: 1500),
        Entry(ids: ["wan2.7-i2v"], kind: .imageToVideo27, tiers: ["720p", "1080p"], seconds: nil, range: 2...15,
              sound: true, maxPrompt: 1500),
    ]

    /// The default: image + prompt to video, the workflow vidflow is built around.
    static let defaultModel = "wan2.6-i2v"

    static var allIDs: [String] { entries.flatMap(\.ids) }

    static func entry(for model: String) -> Entry? {
        entries.first { $0.ids.contains(model) }
    }

    /// Text-to-video sizes by tier and ratio (always `W*H` on the wire).
    static let sizes: [String: [String: String]] = [
        "480p": ["16:9": "832*480", "9:16": "480*832", "1:1": "624*624"],
        "720p": ["16:9": "1280*720", "9:16": "720*1280", "1:1": "960*960", "4:3": "1088*832", "3:4": "832*1088"],
        "1080p": ["16:9": "1920*1080", "9:16": "1080*1920", "1:1": "1440*1440", "4:3": "1632*1248", "3:4": "1248*1632"],
    ]

    /// wan2.7-t2v `parameters.ratio` values.
    static let ratios27 = ["16:9", "9:16", "1:1", "4:3", "3:4"]

    /// Unified `WxH` sizes of `tiers`.
    static func sizeList(_ tiers: [String]) -> [String] {
        tiers.flatMap { tier in
            ["16:9", "9:16", "1:1", "4:3", "3:4"].compactMap { sizes[tier]?[$0]?.replacingOccurrences(of: "*", with: "x") }
        }
    }

    /// Ratios available in `tiers`.
    static func ratioList(_ tiers: [String]) -> [String] {
        ["16:9", "9:16", "1:1", "4:3", "3:4"].filter { ratio in tiers.contains { sizes[$0]?[ratio] != nil } }
    }
}
