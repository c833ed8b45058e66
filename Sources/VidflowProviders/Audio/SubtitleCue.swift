/// One subtitle as shown: when it appears and disappears (seconds) and its wrapped lines, the
/// speaker label (`SPEAKER_00: `) already at the start of the first line when diarized.
public struct SubtitleCue: Sendable, Hashable {
    public var start: Double
    public var end: Double
    public var lines: [String]
    public var speaker: String?

    public init(start: Double, end: Double, lines: [String], speaker: String? = nil) {
        self.start = start
        self.end = end
        self.lines = lines
        self.speaker = speaker
    }

    /// The lines joined with newlines.
    public var text: String { lines.joined(separator: "\n") }
}
