import Foundation
import VidflowCore

/// A run's files under names a person can read, for `vidflow run --output`, `vidflow export` and the
/// `Content-Disposition` of the API's downloads: `<name>.mp4`, `<name>_thumb.jpg`, `<name>_sprites.jpg`,
/// `<name>.srt`, `<name>.wav`…, where `<name>` is given (`--name`) or `<workflow>-<run id>`.
///
/// A file is *final* unless a later stage made a file of the same kind from it (the downloaded video a
/// transcode re-encoded, the transcode a subtitle mux copied): final files get the plain names, the others
/// (and a second final file of a kind, e.g. two transcodes) get `_<stage>` added.
///
/// ```swift
/// let base = RunOutputNames.baseName(workflow: run.workflowName, runID: run.id)  // "image-to-video-run_65…"
/// for output in RunOutputNames.outputs(of: stages, base: base) where output.isFinal {
///     print(output.fileName, output.artifact.path)          // "image-to-video-run_65….mp4 /…/artifacts/ab/ab12….mp4"
/// }
/// ```
public enum RunOutputNames {
    /// One file a completed stage produced, with its readable name.
    public struct Output: Sendable, Equatable {
        public var stageID: String
        /// The stage's output naming the file (`file`, `srt`, …).
        public var output: String
        public var artifact: ArtifactRef
        /// `<name><suffix>.<ext>`, already sanitized: no path separator, never `.` or `..`.
        public var fileName: String
        /// Whether this is one of the run's end results (see the type's doc).
        public var isFinal: Bool
    }

    /// `<workflow>-<run id>`, sanitized.
    public static func baseName(workflow: String, runID: String) -> String {
        sanitize(workflow + "-" + runID)
    }

    /// A name safe for any file system and readable: letters, digits, `-`, `_` and `.` kept; every other run
    /// of characters (spaces, `/`, `\`, `:`, controls…) becomes one `_`; no leading `.`, `-` or `_`; at most
    /// 120 characters; `vidflow` when nothing is left.
    public static func sanitize(_ name: String) -> String {
        var result = ""
        for character in name {
            let keep = character == "-" || character == "_" || character == "."
                || character.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) }
            if keep {
                result.append(character)
            } else if result.last != "_" {
                result.append("_")
            }
        }
        let trimmed = result.drop { $0 == "." || $0 == "-" || $0 == "_" }.prefix(120)
        let clean = String(trimmed.reversed().drop { $0 == "." }.reversed())
        return clean.isEmpty ? "vidflow" : clean
    }

    /// The files of the completed stages, in stage order: each file output that is one of the stage's own
    /// artifacts, once. Copies of inputs (`image.upload`) are not outputs.
    public static func outputs(of stages: [StageRecord], base: String) -> [Output] {
        let ordered = stages.sorted { $0.position < $1.position }.filter { $0.status == .completed }
        var candidates: [(stage: StageRecord, output: String, artifact: ArtifactRef, role: Role)] = []
        for stage in ordered where !Self.inputTypes.contains(stage.type) {
            let byPath = Dictionary(stage.artifacts.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            var seen = Set<String>()
            let names = (stage.output ?? [:]).keys.sorted { ($0 == "file" ? 1 : 0, $0) < ($1 == "file" ? 1 : 0, $1) }
            for name in names {
                guard let path = stage.output?[name]?.stringValue, let artifact = byPath[path], seen.insert(path).inserted else { continue }
                candidates.append((stage, name, artifact, Role(stage: stage, output: name, path: path)))
            }
        }
        let finals = candidates.map { candidate in
            !candidates.contains { later in
                later.stage.position > candidate.stage.position && later.role.sameKind(as: candidate.role)
                    && made(later.stage, from: candidate.stage, path: candidate.artifact.path)
            }
        }
        var outputs: [Output] = []
        for (index, candidate) in candidates.enumerated() {
            let plain = base + candidate.role.suffix + candidate.role.dotExtension
            // A later final file of the same name keeps the plain one.
            let clash = candidates.indices.contains { other in
                other > index && finals[other] && base + candidates[other].role.suffix + candidates[other].role.dotExtension == plain
            }
            var qualified = base + "_" + sanitize(candidate.stage.stageID)
            if candidate.output != "file" { qualified += "_" + sanitize(candidate.output) }
            qualified += (candidate.role.perStage ? "" : candidate.role.suffix) + candidate.role.dotExtension
            let name = finals[index] && !clash ? plain : qualified
            outputs.append(Output(stageID: candidate.stage.stageID, output: candidate.output, artifact: candidate.artifact,
                                  fileName: name, isFinal: finals[index]))
        }
        return outputs
    }

    /// Stage types whose files are copies of the run's inputs.
    static let inputTypes: Set<String> = ["image.upload"]

    /// Whether `later` was made from the file at `path` of `stage`: its resolved parameters name the file; for a
    /// stage reused from an earlier run (no parameters recorded), whether it needs `stage`.
    static func made(_ later: StageRecord, from stage: StageRecord, path: String) -> Bool {
        guard let input = later.input else { return later.needs.contains(stage.stageID) }
        return mentions(input, path: path)
    }

    /// Whether a stage's resolved parameters name `path` (anywhere, also inside arrays and objects).
    static func mentions(_ input: [String: JSONValue]?, path: String) -> Bool {
        func search(_ value: JSONValue) -> Bool {
            if let text = value.stringValue { return text == path }
            if let array = value.arrayValue { return array.contains(where: search) }
            if let object = value.objectValue { return object.values.contains(where: search) }
            return false
        }
        return (input ?? [:]).values.contains(where: search)
    }

    /// What a file is for a person: the suffix its name gets and its kind, by stage type and extension.
    struct Role {
        var suffix: String
        var kind: String
        var dotExtension: String
        /// Whether `suffix` names the stage already (a file of a stage type with no name of its own).
        var perStage = false

        /// Whether a file of `other`'s role made into this one replaces it (a video re-encoded, remuxed).
        func sameKind(as other: Role) -> Bool { !perStage && suffix == other.suffix && kind == other.kind }

        init(stage: StageRecord, output: String, path: String) {
            let ext = (path as NSString).pathExtension.lowercased()
            dotExtension = ext.isEmpty ? "" : "." + RunOutputNames.sanitize(ext)
            kind = Self.videoExtensions.contains(ext) ? "video" : Self.audioExtensions.contains(ext) ? "audio" : ext
            switch stage.type {
            case "ffmpeg.thumbnail": suffix = "_thumb"
            case "ffmpeg.spritesheet": suffix = "_sprites"
            case "audio.transcribe", "faster_whisper.transcribe_audio": suffix = "_transcript"
            case "audio.diarize", "pyannote_audio.diarize_speakers": suffix = "_speakers"
            case "subtitles.generate", "wservice.generate_subtitle_files": suffix = ext == "json" ? "_subtitles" : ""
            default:
                if kind == "video" || kind == "audio" {
                    suffix = ""
                } else {
                    perStage = true
                    suffix = "_" + RunOutputNames.sanitize(stage.stageID) + (output == "file" ? "" : "_" + RunOutputNames.sanitize(output))
                }
            }
        }

        static let videoExtensions: Set<String> = ["mp4", "m4v", "mov", "webm", "mkv"]
        static let audioExtensions: Set<String> = ["wav", "mp3", "flac", "m4a", "aac", "ogg", "opus"]
    }
}
