import CFFmpeg

/// Owns one `SwrContext` (sample format, rate and channel-layout conversion) and frees it with `swr_free`.
final class AudioResampler {
    private var raw: OpaquePointer?
    private let inputFormat: Int32
    private let inputRate: Int32
    private let inputChannels: Int32

    /// Configures conversion from frames shaped like `sample` to the encoder's format, rate and layout.
    init(from sample: Frame, to output: CodecContext) throws(MediaError) {
        let frame = sample.raw
        Self.normaliseLayout(frame)
        inputFormat = frame.pointee.format
        inputRate = frame.pointee.sample_rate
        inputChannels = frame.pointee.ch_layout.nb_channels
        var context: OpaquePointer? = nil
        try check(swr_alloc_set_opts2(&context,
                                      &output.raw.pointee.ch_layout, output.raw.pointee.sample_fmt, output.raw.pointee.sample_rate,
                                      &frame.pointee.ch_layout, AVSampleFormat(rawValue: inputFormat), inputRate, 0, nil),
                  "configuring the audio resampler")
        raw = context
        try check(swr_init(context), "initialising the audio resampler")
    }

    deinit {
        swr_free(&raw)
    }

    /// Whether `frame` has the format, rate and channel count this resampler was built for.
    func accepts(_ frame: Frame) -> Bool {
        frame.raw.pointee.format == inputFormat && frame.raw.pointee.sample_rate == inputRate
            && frame.raw.pointee.ch_layout.nb_channels == inputChannels
    }

    /// Converts `input` (nil flushes buffered samples) into `output`, which must carry format, rate and layout but no buffers.
    func convert(_ input: Frame?, into output: Frame) throws(MediaError) {
        if let input { Self.normaliseLayout(input.raw) }
        try check(swr_convert_frame(raw, output.raw, input?.raw), "resampling audio")
    }

    /// Decoders of raw PCM may report only a channel count; give such frames the default layout for it.
    private static func normaliseLayout(_ frame: UnsafeMutablePointer<AVFrame>) {
        if frame.pointee.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC {
            let channels = max(1, frame.pointee.ch_layout.nb_channels)
            av_channel_layout_uninit(&frame.pointee.ch_layout)
            av_channel_layout_default(&frame.pointee.ch_layout, channels)
        }
    }
}
