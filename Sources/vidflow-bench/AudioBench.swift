import Foundation
import VidflowMedia

/// Benchmarks `AudioExtractor` (60 s clip → 16 kHz mono WAV, and → MP3) and `SubtitleMuxer` (SRT into a
/// 60 s MP4, stream copy) against the equivalent ffmpeg CLI commands.
func runAudioBench() throws {
    let directory = NSTemporaryDirectory() + "vidflow-audio-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let clip = directory + "/clip.mp4"
    print("audio bench: generating a 60 s 640x360 30 fps H.264 + 48 kHz stereo AAC test clip")
    try runCLI(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2", clip])

    var seconds = 0.0
    let ourWAV = try bestOf(3) {
        seconds = try AudioExtractor.extract(input: clip, output: directory + "/speech.wav").duration
    }
    print(String(format: "extracted %.3f s of audio", seconds))
    let cliWAV = try bestOf(3) {
        try runCLI(["-i", clip, "-vn", "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le", directory + "/speech-cli.wav"])
    }
    report("extract_audio wav 16k mono (60 s)", ours: ourWAV, cli: cliWAV, target: "≤ 1.1")

    let mp3 = AudioExtractOptions(format: .mp3, sampleRate: 44100, channels: 2)
    let ourMP3 = try bestOf(3) {
        _ = try AudioExtractor.extract(input: clip, output: directory + "/audio.mp3", options: mp3)
    }
    let cliMP3 = try bestOf(3) {
        try runCLI(["-i", clip, "-vn", "-ar", "44100", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "128k", directory + "/audio-cli.mp3"])
    }
    report("extract_audio mp3 44.1k stereo (60 s)", ours: ourMP3, cli: cliMP3, target: "≤ 1.1")

    let srt = directory + "/subtitles.srt"
    let cues = (0..<60).map { second in
        "\(second + 1)\n00:00:\(String(format: "%02d", second)),000 --> 00:00:\(String(format: "%02d", second)),800\n第 \(second) 句字幕\n"
    }
    try Data(cues.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: srt))
    let ourMux = try bestOf(3) {
        _ = try SubtitleMuxer.mux(input: clip, subtitles: srt, output: directory + "/subtitled.mp4", language: "zho")
    }
    let cliMux = try bestOf(3) {
        try runCLI(["-i", clip, "-i", srt, "-map", "0", "-map", "1", "-c", "copy", "-c:s", "mov_text",
                    "-metadata:s:s:0", "language=zho", "-movflags", "+faststart", directory + "/subtitled-cli.mp4"])
    }
    report("mux_subtitles mp4 (60 s, 60 cues)", ours: ourMux, cli: cliMux, target: "≤ 1.1")
}
