import Foundation
import VidflowCore

/// Writes cues as SubRip (`.srt`), WebVTT (`.vtt`) or JSON text, and formats their timestamps
/// (`00:01:02,345` in SRT, `00:01:02.345` in WebVTT; negative times are shown as zero).
///
/// ```swift
/// SubtitleRenderer.srt([SubtitleCue(start: 1, end: 2.5, lines: ["Hi"])])
/// // "1\n00:00:01,000 --> 00:00:02,500\nHi\n\n"
/// ```
public enum SubtitleRenderer {
    /// The subtitle file formats `subtitles.generate` writes.
    public enum Format: String, Sendable, CaseIterable {
        case srt, vtt, json

        public var fileExtension: String { rawValue }
        public var mime: String {
            switch self {
            case .srt: "application/x-subrip"
            case .vtt: "text/vtt"
            case .json: "application/json"
            }
        }
    }

    /// `seconds` as `HH:MM:SS<separator>mmm`, rounded to the millisecond.
    public static func timestamp(_ seconds: Double, separator: Character) -> String {
        let milliseconds = seconds.isFinite ? max(0, Int((seconds * 1000).rounded())) : 0
        let hours = milliseconds / 3_600_000
        let minutes = milliseconds / 60_000 % 60
        let secs = milliseconds / 1000 % 60
        return String(format: "%02d:%02d:%02d", hours, minutes, secs) + String(separator)
            + String(format: "%03d", milliseconds % 1000)
    }

    public static func render(_ cues: [SubtitleCue], as format: Format) -> String {
        switch format {
        case .srt: srt(cues)
        case .vtt: vtt(cues)
        case .json: json(cues)
        }
    }

    /// SubRip: numbered cues separated by blank lines.
    public static func srt(_ cues: [SubtitleCue]) -> String {
        var out = ""
        for (index, cue) in cues.enumerated() {
            out += "\(index + 1)\n\(timestamp(cue.start, separator: ",")) --> \(timestamp(cue.end, separator: ","))\n"
            out += cue.lines.map(plain).joined(separator: "\n") + "\n\n"
        }
        return out
    }

    /// WebVTT: the `WEBVTT` header, then cues; `&`, `<` and `>` escaped as the format requires.
    public static func vtt(_ cues: [SubtitleCue]) -> String {
        var out = "WEBVTT\n\n"
        for cue in cues {
            out += "\(timestamp(cue.start, separator: ".")) --> \(timestamp(cue.end, separator: "."))\n"
            out += cue.lines.map { escapeVTT(plain($0)) }.joined(separator: "\n") + "\n\n"
        }
        return out
    }

    /// `{"cues": [{"index", "start", "end", "text", "lines", "speaker"?}]}`, times in seconds.
    public static func json(_ cues: [SubtitleCue]) -> String {
        let items: [JSONValue] = cues.enumerated().map { index, cue in
            var object: [String: JSONValue] = [
                "index": .int(index + 1), "start": .double(TranscriptSegment.rounded(cue.start)),
                "end": .double(TranscriptSegment.rounded(cue.end)), "text": .string(cue.text),
                "lines": .array(cue.lines.map { .string($0) }),
            ]
            if let speaker = cue.speaker { object["speaker"] = .string(speaker) }
            return .object(object)
        }
        return JSONValue.object(["cues": .array(items)]).canonicalJSON + "\n"
    }

    /// A line that cannot end its cue early: no line breaks, no `-->`.
    private static func plain(_ line: String) -> String {
        line.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "-->", with: "->")
    }

    private static func escapeVTT(_ line: String) -> String {
        line.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
