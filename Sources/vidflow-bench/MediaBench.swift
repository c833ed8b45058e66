import Foundation
import VidflowMedia

/// Benchmarks the in-process FFmpeg layer against the equivalent ffmpeg CLI commands on a 10 s 1080p30 clip.
func runMediaBench() throws {
    let directory = NSTemporaryDirectory() + "vidflow-media-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let clip = directory + "/clip.mp4"
    print("media bench: generating a 10 s 1920x1080 30 fps H.264 + AAC test clip")
    try runCLI(["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", "10", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac", clip])

    let thumbOptions = ThumbnailOptions(width: 1280, height: 720, fit: .letterbox, quality: 85, at: 5)
    let ourThumb = try bestOf(3) {
        _ = try Thumbnailer.thumbnail(input: clip, output: directory + "/thumb.jpg", options: thumbOptions)
    }
    let cliThumb = try bestOf(3) {
        try runCLI(["-ss", "5", "-i", clip, "-frames:v", "1", "-vf", "scale=1280:720", "-q:v", String(thumbOptions.qscale),
                    directory + "/thumb-cli.jpg"])
    }
    report("thumbnail", ours: ourThumb, cli: cliThumb, target: "< 1.0")

    let options = TranscodeOptions(quality: .medium, width: 1280, height: 720, fps: 30, preset: "veryfast")
    let rssBefore = peakRSSKiB()
    let ourTranscode = try bestOf(3) {
        _ = try Transcoder.transcode(input: clip, output: directory + "/out.mp4", options: options)
    }
    let rssAfter = peakRSSKiB()
    let cliTranscode = try bestOf(3) {
        try runCLI(["-i", clip, "-vf", "scale=1280:720", "-r", "30", "-c:v", "libx264", "-preset", options.preset,
                    "-crf", String(options.quality.crf), "-pix_fmt", "yuv420p", "-c:a", "copy", "-movflags", "+faststart",
                    directory + "/out-cli.mp4"])
    }
    report("transcode", ours: ourTranscode, cli: cliTranscode, target: "≤ 1.1")
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    #else
    getrusage(RUSAGE_CHILDREN, &usage)
    #endif
    print(String(format: "transcode peak RSS: vidflow process %.0f MiB (%.0f MiB before transcoding), largest ffmpeg CLI child %.0f MiB (Linux units)",
                 Double(rssAfter) / 1024, Double(rssBefore) / 1024, Double(usage.ru_maxrss) / 1024))
}

/// Runs the ffmpeg CLI quietly, overwriting outputs; throws when it fails.
func runCLI(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"] + arguments
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw MediaBenchError(message: "ffmpeg \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
    }
}

private struct MediaBenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The fastest of `runs` timed calls, in seconds.
func bestOf(_ runs: Int, _ body: () throws -> Void) throws -> Double {
    var best = Double.infinity
    for _ in 0..<runs {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
    return best
}

func report(_ name: String, ours: Double, cli: Double, target: String) {
    print(String(format: "%@: vidflow %.3f s, ffmpeg CLI %.3f s, ratio %.2f (target %@)", name, ours, cli, ours / cli, target))
}

/// This process's peak resident set size (VmHWM) in KiB, or 0 when /proc is unavailable.
private func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
    return 0
}
