import CFFmpeg

/// Walks a video forward to ever later times, keeping only the latest decoded frame: it seeks only when the
/// keyframe before the wanted time lies ahead of what was already decoded, so a clip with few keyframes is
/// decoded once instead of once per wanted frame.
final class ForwardFrameCursor {
    let reader: VideoFrameReader
    private var latest: Frame
    private var spare: Frame
    private var latestTime: Double?
    private var ended = false
    private let tolerance: Double

    init(reader: VideoFrameReader) throws(MediaError) {
        self.reader = reader
        latest = try Frame()
        spare = try Frame()
        let rate = MediaProbe.frameRate(of: reader.stream)
        tolerance = rate > 0 ? 0.5 / rate : 0.001
    }

    /// The frame shown at `seconds` (the last frame past the end); valid until the next call.
    func frame(at seconds: Double) throws(MediaError) -> Frame {
        if let latestTime, latestTime >= seconds - tolerance { return latest }
        if !ended {
            if shouldSeek(to: seconds) {
                do {
                    try reader.seek(toSeconds: seconds)
                } catch {
                    // Unseekable input: keep decoding forward.
                }
            }
            reader.skipNonReferenceBefore = seconds > 1 ? reader.timestamp(ofSeconds: seconds - 1) : nil
            while try reader.next(into: spare) {
                let time = spare.bestEffortTimestamp.map { reader.seconds(of: $0) } ?? (latestTime ?? 0)
                swap(&latest, &spare)
                latestTime = time
                if time >= seconds - tolerance { return latest }
            }
            ended = true
        }
        guard latestTime != nil else {
            throw MediaError.decodeFailed(path: reader.input.path, reason: "no video frame could be decoded")
        }
        return latest
    }

    /// True when a keyframe at or before `seconds` lies after the latest decoded frame.
    private func shouldSeek(to seconds: Double) -> Bool {
        let decoded = latestTime ?? 0
        let target = reader.timestamp(ofSeconds: seconds)
        if avformat_index_get_entries_count(reader.stream) > 0 {
            guard let entry = avformat_index_get_entry_from_timestamp(reader.stream, target, AVSEEK_FLAG_BACKWARD) else {
                return false
            }
            return reader.seconds(of: entry.pointee.timestamp) > decoded + tolerance
        }
        // No index to consult: seek only across a long gap, where a keyframe in between is likely.
        return seconds - decoded > 10
    }
}
