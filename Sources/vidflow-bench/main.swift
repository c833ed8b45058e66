import Foundation

// `make bench`: the engine's throughput and scheduling overhead through the durable SQLite store, the
// time of an unchanged incremental re-run, then the FFmpeg layer against the ffmpeg CLI.
// `vidflow-bench engine`, `chain` (a 10,000-stage chain), `media`, `spritesheet` or `audio`
// (audio extraction and subtitle muxing) runs one part.
let arguments = Array(CommandLine.arguments.dropFirst())
let parts = Set(arguments.filter { !$0.contains("=") })
/// `runs=N`, `inflight=N` tune the engine part.
func setting(_ name: String, default value: Int) -> Int {
    arguments.compactMap { $0.hasPrefix(name + "=") ? Int($0.dropFirst(name.count + 1)) : nil }.last ?? value
}
do {
    if parts.isEmpty || parts.contains("engine") {
        try await runEngineBench(runs: setting("runs", default: 1_000), runsInFlight: setting("inflight", default: 16))
    }
    if parts.isEmpty || parts.contains("chain") { try await runLongChainBench() }
    if parts.isEmpty || parts.contains("media") { try runMediaBench() }
    if parts.isEmpty || parts.contains("spritesheet") { try runSpriteSheetBench() }
    if parts.isEmpty || parts.contains("audio") { try runAudioBench() }
    if parts.isEmpty || parts.contains("poll") { runPollBench() }
} catch {
    FileHandle.standardError.write(Data("vidflow-bench: \(error)\n".utf8))
    exit(1)
}
