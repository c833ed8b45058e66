import CFFmpeg

/// Turns decoded frames with arbitrary timestamps into a constant-frame-rate H.264 stream,
/// duplicating or dropping frames by presentation time, scaling each kept frame once.
final class ConstantRateVideo {
    let encoder: H264Encoder
    private let placement: (x: Int, y: Int, width: Int, height: Int)
    private let pending: Frame
    private let scaled: Frame
    private var scaler: Scaler?
    private var hasPending = false
    private var pendingScaled = false
    private var pendingTime = 0.0
    private(set) var framesWritten = 0

    /// `placement` is where the scaled picture goes inside the encoder's frame (letterboxing when it is smaller).
    init(encoder: H264Encoder, placement: (x: Int, y: Int, width: Int, height: Int)) throws(MediaError) {
        self.encoder = encoder
        self.placement = placement
        pending = try Frame()
        scaled = try encoder.makeFrame()
        scaled.fillBlack(fullRange: false)
    }

    /// Time in seconds of output frame `index`.
    private func time(of index: Int) -> Double { Double(index) / Double(encoder.fps) }

    /// Accepts a decoded frame shown from `seconds` on; takes over its buffers.
    func push(_ frame: Frame, at seconds: Double) throws(MediaError) {
        if hasPending {
            try emit(until: seconds)
        }
        av_frame_unref(pending.raw)
        av_frame_move_ref(pending.raw, frame.raw)
        hasPending = true
        pendingScaled = false
        pendingTime = seconds
    }

    /// Emits the last frame until `end` seconds and flushes the encoder.
    func finish(at end: Double) throws(MediaError) {
        if hasPending {
            try emit(until: max(end, pendingTime + 1e-9))
            if framesWritten == 0 {
                try emitPending()
            }
        }
        try encoder.finish()
    }

    /// Writes the pending frame for every output tick strictly before `seconds`.
    private func emit(until seconds: Double) throws(MediaError) {
        while time(of: framesWritten) < seconds - 1e-6 {
            try emitPending()
        }
    }

    private func emitPending() throws(MediaError) {
        if !pendingScaled {
            let scaler = try Scaler.reusing(scaler, for: pending, width: placement.width, height: placement.height,
                                            format: AV_PIX_FMT_YUV420P)
            self.scaler = scaler
            try scaler.scale(pending, into: scaled, x: placement.x, y: placement.y)
            pendingScaled = true
        }
        try encoder.encode(scaled, index: framesWritten)
        framesWritten += 1
    }
}
