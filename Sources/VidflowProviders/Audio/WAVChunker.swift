import Foundation
import VidflowCore

/// Cuts a PCM WAV file too large for one upload into chunks that each fit `maxBytes`, cutting at
/// the quietest moment near each limit: in the last quarter of each chunk (at most `searchSeconds`),
/// the 20 ms window of 16-bit samples with the least energy, cut in its middle. Files of other
/// bit depths are cut at the size limit.
///
/// ```swift
/// let chunks = try WAVChunker(maxBytes: 25_000_000).plan(wav)   // [0..<480000, 480000..<812345] (frames)
/// ```
struct WAVChunker: Sendable {
    var maxBytes: Int
    var searchSeconds: Double = 30
    static let headerBytes = 44

    /// The chunks as frame ranges covering the whole file, in order.
    func plan(_ wav: WAVAudio) throws(StageFailure) -> [Range<Int>] {
        let maxFrames = (maxBytes - Self.headerBytes) / wav.blockAlign
        guard maxFrames >= wav.sampleRate / 10 else {
            throw StageFailure(.invalidInput, "the upload limit of \(maxBytes) bytes holds less than 0.1 s of this audio")
        }
        var chunks: [Range<Int>] = []
        var start = 0
        while wav.frameCount - start > maxFrames {
            let limit = start + maxFrames
            let searchFrames = min(maxFrames / 4, Int(searchSeconds * Double(wav.sampleRate)))
            let cut = wav.isPCM16 ? try quietest(wav, from: limit - searchFrames, to: limit) : limit
            chunks.append(start..<cut)
            start = cut
        }
        chunks.append(start..<wav.frameCount)
        return chunks
    }

    /// The middle of the quietest 20 ms window between two frames (16-bit PCM).
    private func quietest(_ wav: WAVAudio, from lower: Int, to upper: Int) throws(StageFailure) -> Int {
        let window = max(1, wav.sampleRate / 50)
        guard upper - lower >= window else { return upper }
        let data = try wav.readFrames(lower, count: upper - lower)
        let frames = data.count / wav.blockAlign
        var best = (energy: Double.infinity, frame: upper)
        data.withUnsafeBytes { raw in
            let samples = raw.bindMemory(to: Int16.self)
            let perFrame = wav.blockAlign / 2
            var windowStart = 0
            while windowStart + window <= frames {
                var energy = 0.0
                for frame in windowStart..<(windowStart + window) {
                    for channel in 0..<wav.channels where frame * perFrame + channel < samples.count {
                        let sample = Double(Int16(littleEndian: samples[frame * perFrame + channel]))
                        energy += sample * sample
                    }
                }
                // Later windows win ties, so chunks stay as large as allowed.
                if energy <= best.energy { best = (energy, lower + windowStart + window / 2) }
                windowStart += window
            }
        }
        return best.frame
    }
}
