import Foundation

/// Turns transcript segments into subtitle cues a viewer can read: lines no wider than
/// `maxLineWidth` columns (wrapped at spaces; Chinese and Japanese text, written without spaces,
/// wraps between any two characters but never before closing punctuation), at most `maxLines` lines
/// and `maxDuration` seconds per cue (longer segments are split, time shared by text width), cues in
/// time order, never negative and never overlapping. Pure: no files, no clock.
///
/// Widths are display columns: CJK and full-width characters count 2, so the default 42 fits about
/// 21 Chinese characters, near the usual broadcast limit.
///
/// ```swift
/// let cues = SubtitleFormatter(maxLineWidth: 42).cues([TranscriptSegment(start: 0, end: 2, text: "Hello", speaker: "SPEAKER_00")])
/// // [SubtitleCue(start: 0, end: 2, lines: ["SPEAKER_00: Hello"], speaker: "SPEAKER_00")]
/// ```
public struct SubtitleFormatter: Sendable {
    public var maxLineWidth: Int
    public var maxLines: Int
    public var maxDuration: Double
    /// Put `SPEAKER_00: ` before the text of segments that carry a speaker.
    public var speakerLabels: Bool

    public init(maxLineWidth: Int = 42, maxLines: Int = 2, maxDuration: Double = 7, speakerLabels: Bool = true) {
        self.maxLineWidth = max(4, maxLineWidth)
        self.maxLines = max(1, maxLines)
        self.maxDuration = maxDuration > 0 ? maxDuration : 7
        self.speakerLabels = speakerLabels
    }

    /// A word (or one CJK character) that is never split across lines.
    struct Unit: Hashable {
        var text: String
        /// Whether the source had whitespace before it (kept when both end up on one line).
        var spaceBefore: Bool
        var width: Int { SubtitleFormatter.width(text) }
    }

    /// The cues for `segments`, in time order.
    public func cues(_ segments: [TranscriptSegment]) -> [SubtitleCue] {
        let ordered = segments.enumerated()
            .filter { !$0.element.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
            .sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }
            .map(\.element)
        var cues: [SubtitleCue] = []
        for segment in ordered {
            let start = max(0, segment.start.isFinite ? segment.start : 0)
            var end = segment.end.isFinite ? segment.end : start
            if end <= start { end = start + 1 }
            cues.append(contentsOf: split(segment, start: start, end: end))
        }
        // Ordered and never overlapping: a cue ends where the next begins.
        for index in cues.indices.dropLast() where cues[index].end > cues[index + 1].start {
            cues[index].end = max(cues[index + 1].start, cues[index].start + 0.001)
            if cues[index + 1].start < cues[index].end { cues[index + 1].start = cues[index].end }
            if cues[index + 1].end <= cues[index + 1].start { cues[index + 1].end = cues[index + 1].start + 0.001 }
        }
        return cues
    }

    /// One segment as one or more cues between `start` and `end`.
    private func split(_ segment: TranscriptSegment, start: Double, end: Double) -> [SubtitleCue] {
        let units = tokenize(segment.text)
        let speaker = speakerLabels ? segment.speaker : nil
        let label = speaker.map { Unit(text: "\($0):", spaceBefore: false) }
        let duration = end - start
        let byLines = pieces(units, label: label)
        let byDuration = Int((duration / maxDuration - 1e-9).rounded(.up))
        // Groups that each get an equal share of the time (at most `maxDuration`); a group may still need
        // several cues for its lines, which share the group's time by width.
        let groups: [[[Unit]]] = byDuration > 1 && units.count > 1
            ? evenly(units, into: min(byDuration, units.count)).map { pieces($0, label: label) }
            : [byLines]
        var cues: [SubtitleCue] = []
        let share = duration / Double(groups.count)
        for (groupIndex, group) in groups.enumerated() {
            var time = start + share * Double(groupIndex)
            let groupEnd = groupIndex == groups.count - 1 ? end : time + share
            for (index, piece) in group.enumerated() {
                // The rest of the group's time, shared by the width of the text still to show.
                let remaining = max(1, group[index...].reduce(0) { $0 + width($1) })
                let pieceEnd = index == group.count - 1
                    ? groupEnd : time + (groupEnd - time) * Double(width(piece)) / Double(remaining)
                cues.append(SubtitleCue(start: time, end: pieceEnd, lines: fill(piece, label: label), speaker: speaker))
                time = pieceEnd
            }
        }
        return cues
    }

    private func width(_ units: [Unit]) -> Int { units.reduce(0) { $0 + $1.width } }

    /// `units` cut into pieces that each fill at most `maxLines` lines (with the label before each).
    func pieces(_ units: [Unit], label: Unit?) -> [[Unit]] {
        var result: [[Unit]] = []
        var index = 0
        while index < units.count {
            let consumed = max(1, layout(units[index...], label: label).consumed)
            result.append(Array(units[index..<(index + consumed)]))
            index += consumed
        }
        return result
    }

    /// `units` cut into `count` runs of about equal width.
    private func evenly(_ units: [Unit], into count: Int) -> [[Unit]] {
        let total = Double(width(units))
        var result: [[Unit]] = [[]]
        var done = 0
        for (index, unit) in units.enumerated() {
            let remainingUnits = units.count - index
            let remainingGroups = count - result.count
            let target = total * Double(result.count) / Double(count)
            if !result[result.count - 1].isEmpty, remainingGroups > 0,
               Double(done) >= target || remainingUnits <= remainingGroups {
                result.append([])
            }
            result[result.count - 1].append(unit)
            done += unit.width
        }
        return result
    }

    /// The lines of one cue holding `units` after `label`.
    func fill(_ units: [Unit], label: Unit?) -> [String] { layout(units[...], label: label, limit: false).lines }

    /// Greedy line filling: how many of `units` fit in `maxLines` lines (all of them when not `limit`ed).
    private func layout(_ units: ArraySlice<Unit>, label: Unit?, limit: Bool = true) -> (lines: [String], consumed: Int) {
        var lines: [String] = []
        var current = label?.text ?? ""
        var currentWidth = label?.width ?? 0
        var consumed = 0
        var first = true
        for unit in units {
            let separator = current.isEmpty ? "" : (unit.spaceBefore || (first && label != nil) ? " " : "")
            let needed = currentWidth + separator.count + unit.width
            if current.isEmpty || needed <= maxLineWidth {
                current += separator + unit.text
                currentWidth = needed
            } else {
                lines.append(current)
                if limit && lines.count == maxLines { return (lines, consumed) }
                current = unit.text
                currentWidth = unit.width
            }
            consumed += 1
            first = false
        }
        if !current.isEmpty { lines.append(current) }
        return (lines, consumed)
    }

    /// Words and single CJK characters, closing punctuation kept with what it closes.
    func tokenize(_ text: String) -> [Unit] {
        var units: [Unit] = []
        var word = ""
        var wordSpace = false
        var sawSpace = false
        func flush() {
            guard !word.isEmpty else { return }
            if !wordSpace, let first = word.first, Self.noLineStart.contains(first), !units.isEmpty {
                units[units.count - 1].text += word
            } else {
                // A word wider than a line is cut at the line width.
                var rest = Substring(word)
                var space = wordSpace
                while Self.width(String(rest)) > maxLineWidth {
                    var cut = rest.startIndex
                    var taken = 0
                    while cut < rest.endIndex, taken + Self.width(String(rest[cut])) <= maxLineWidth {
                        taken += Self.width(String(rest[cut]))
                        cut = rest.index(after: cut)
                    }
                    if cut == rest.startIndex { cut = rest.index(after: cut) }
                    units.append(Unit(text: String(rest[..<cut]), spaceBefore: space))
                    rest = rest[cut...]
                    space = false
                }
                if !rest.isEmpty { units.append(Unit(text: String(rest), spaceBefore: space)) }
            }
            word = ""
        }
        for character in text {
            if character.isWhitespace {
                flush()
                sawSpace = true
            } else if Self.breaksAnywhere(character) {
                flush()
                if !sawSpace, Self.noLineStart.contains(character), !units.isEmpty {
                    units[units.count - 1].text.append(character)
                } else {
                    units.append(Unit(text: String(character), spaceBefore: sawSpace && !units.isEmpty))
                }
                sawSpace = false
            } else {
                if word.isEmpty { wordSpace = sawSpace && !units.isEmpty }
                word.append(character)
                sawSpace = false
            }
        }
        flush()
        return units
    }

    /// Punctuation that must not begin a line.
    static let noLineStart: Set<Character> = Set("，。！？、；：）」』》〉】〕…・ー,.!?;:)]}%")

    /// Display columns of `text`: 2 for East Asian wide and full-width characters, else 1.
    static func width(_ text: String) -> Int {
        text.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
    }

    static func isWide(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first?.value else { return false }
        switch scalar {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// Scripts written without spaces (Han, kana, CJK punctuation, full-width forms): a line may break
    /// before any of their characters. Hangul uses spaces and wraps like Latin text.
    static func breaksAnywhere(_ character: Character) -> Bool {
        guard isWide(character), let scalar = character.unicodeScalars.first?.value else { return false }
        return !(0xAC00...0xD7A3).contains(scalar) && !(0x1100...0x115F).contains(scalar)
    }
}
