import VidflowCore

/// One timed piece of a transcript: seconds from the start of the audio, the words, and who spoke
/// them when diarized (`SPEAKER_00`). What `audio.transcribe` and `audio.diarize` output and
/// `subtitles.generate` reads, as `{start, end, text, speaker?}` objects.
public struct TranscriptSegment: Sendable, Hashable {
    public var start: Double
    public var end: Double
    public var text: String
    public var speaker: String?

    public init(start: Double, end: Double, text: String, speaker: String? = nil) {
        self.start = start
        self.end = end
        self.text = text
        self.speaker = speaker
    }

    /// The segment as a JSON object (`speaker` only when known).
    public var json: JSONValue {
        var object: [String: JSONValue] = ["start": .double(Self.rounded(start)), "end": .double(Self.rounded(end)),
                                           "text": .string(text)]
        if let speaker { object["speaker"] = .string(speaker) }
        return .object(object)
    }

    /// Segments from a JSON array of `{start, end, text, speaker?}`; `parameter` names the field in errors.
    public static func parse(_ value: JSONValue?, parameter: String) throws(StageFailure) -> [TranscriptSegment] {
        guard let value, !value.isNull else {
            throw StageFailure(.invalidInput, "parameter '\(parameter)' is required (an array of {start, end, text})")
        }
        guard let items = value.arrayValue else {
            throw StageFailure(.invalidInput, "parameter '\(parameter)' must be an array of {start, end, text}, got \(value.typeName)")
        }
        var segments: [TranscriptSegment] = []
        for (index, item) in items.enumerated() {
            guard let start = item["start"]?.doubleValue, let end = item["end"]?.doubleValue,
                  start.isFinite, end.isFinite else {
                throw StageFailure(.invalidInput, "\(parameter)[\(index)] needs numeric 'start' and 'end' (seconds)")
            }
            guard let text = item["text"]?.stringValue else {
                throw StageFailure(.invalidInput, "\(parameter)[\(index)] needs a string 'text'")
            }
            let speaker = item["speaker"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
            segments.append(TranscriptSegment(start: start, end: end, text: text, speaker: speaker))
        }
        return segments
    }

    /// Seconds to the millisecond, so outputs stay readable (`1.25`, not `1.2500000000000002`).
    static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}
