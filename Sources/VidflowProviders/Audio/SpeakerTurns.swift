/// Speaker turns from diarized segments, and the speaker of each transcript segment: pure logic
/// shared by the diarization backends.
///
/// ```swift
/// let turns = SpeakerTurns.turns(from: diarized)                 // consecutive segments of one speaker merged
/// let labelled = SpeakerTurns.label(transcript, with: turns)    // each gets the speaker it overlaps most
/// ```
enum SpeakerTurns {
    /// Labels as `SPEAKER_00`, `SPEAKER_01`… in order of first appearance; labels already in that
    /// form (pyannote's) are kept as they are.
    static func normalized(_ segments: [TranscriptSegment]) -> [TranscriptSegment] {
        let labels = segments.compactMap(\.speaker)
        if labels.allSatisfy(isCanonical) { return segments }
        var names: [String: String] = [:]
        return segments.map { segment in
            var copy = segment
            if let speaker = segment.speaker {
                if names[speaker] == nil { names[speaker] = String(format: "SPEAKER_%02d", names.count) }
                copy.speaker = names[speaker]
            }
            return copy
        }
    }

    static func isCanonical(_ label: String) -> Bool {
        label.hasPrefix("SPEAKER_") && label.count > 8 && label.dropFirst(8).allSatisfy(\.isNumber)
    }

    /// Time-ordered turns: runs of one speaker merged when less than `gap` seconds apart (texts dropped).
    static func turns(from segments: [TranscriptSegment], gap: Double = 0.5) -> [TranscriptSegment] {
        var turns: [TranscriptSegment] = []
        for segment in segments.sorted(by: { $0.start < $1.start }) where segment.speaker != nil {
            if let last = turns.last, last.speaker == segment.speaker, segment.start - last.end < gap {
                turns[turns.count - 1].end = max(last.end, segment.end)
            } else {
                turns.append(TranscriptSegment(start: segment.start, end: segment.end, text: "", speaker: segment.speaker))
            }
        }
        return turns
    }

    /// `transcript` with each segment given the speaker whose turns overlap it longest (the nearest
    /// turn when none overlaps).
    static func label(_ transcript: [TranscriptSegment], with turns: [TranscriptSegment]) -> [TranscriptSegment] {
        guard !turns.isEmpty else { return transcript }
        return transcript.map { segment in
            var overlap: [String: Double] = [:]
            for turn in turns {
                guard let speaker = turn.speaker else { continue }
                let shared = min(segment.end, turn.end) - max(segment.start, turn.start)
                if shared > 0 { overlap[speaker, default: 0] += shared }
            }
            var copy = segment
            if let best = overlap.max(by: { ($0.value, $1.key) < ($1.value, $0.key) }) {
                copy.speaker = best.key
            } else {
                let middle = (segment.start + segment.end) / 2
                copy.speaker = turns.min { distance($0, middle) < distance($1, middle) }?.speaker
            }
            return copy
        }
    }

    private static func distance(_ turn: TranscriptSegment, _ time: Double) -> Double {
        time < turn.start ? turn.start - time : (time > turn.end ? time - turn.end : 0)
    }
}
