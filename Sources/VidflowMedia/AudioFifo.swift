import CFFmpeg

/// Owns one `AVAudioFifo`, re-chunking samples into encoder-sized frames; freed with `av_audio_fifo_free`.
final class AudioFifo {
    private let raw: OpaquePointer

    init(format: AVSampleFormat, channels: Int32) throws(MediaError) {
        guard let fifo = av_audio_fifo_alloc(format, channels, 4096) else {
            throw MediaError.ffmpeg(operation: "allocating an audio FIFO", code: AVCode.noMemory, message: ffmpegMessage(AVCode.noMemory))
        }
        raw = fifo
    }

    deinit {
        av_audio_fifo_free(raw)
    }

    var count: Int { Int(av_audio_fifo_size(raw)) }

    /// Appends all samples of `frame`.
    func write(_ frame: Frame) throws(MediaError) {
        let samples = frame.raw.pointee.nb_samples
        guard samples > 0, let data = frame.raw.pointee.extended_data else { return }
        let planes = UnsafeMutableRawPointer(data).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        let written = av_audio_fifo_write(raw, planes, samples)
        try check(written, "buffering audio")
    }

    /// Moves up to `frame.nb_samples` samples into `frame`'s buffers; returns how many.
    func read(into frame: Frame) throws(MediaError) -> Int {
        guard let data = frame.raw.pointee.extended_data else { return 0 }
        let planes = UnsafeMutableRawPointer(data).assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        let read = try check(av_audio_fifo_read(raw, planes, frame.raw.pointee.nb_samples), "reading buffered audio")
        frame.raw.pointee.nb_samples = read
        return Int(read)
    }
}
