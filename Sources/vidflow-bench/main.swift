import Foundation

// `make bench`: the engine's throughput and scheduling overhead through the durable SQLite store, the
// time of an unchanged incremental re-run, then the FFmpeg layer against the ffmpeg CLI.
// `vidflow-bench engine`, `chain` (a 10,000-stage chain), `media`, `spritesheet` or `audio`
// (audio extraction and subtitle muxing), `http` (workflows over HTTP), `creates` (the create path) or `sse` (`clients=N` event streams over HTTP) runs one part.
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
    // `waiting`: `inflight=N` generations (1,000) waiting on 10-minute jobs, measured for `idle=S` seconds (10)
    // once their polls have backed off for `settle=S` seconds (30).
    if parts.isEmpty || parts.contains("waiting") {
        try await runWaitingBench(inFlight: setting("inflight", default: 1_000), idleSeconds: setting("idle", default: 10),
                                  settleSeconds: setting("settle", default: 30))
    }
    if parts.isEmpty || parts.contains("sse") { try await runSSEBench(clients: setting("clients", default: 1_000)) }
    // `http` and `creates`: `posters=N` keep-alive HTTP clients (16); `seconds=N` of sustained creates (10).
    if parts.isEmpty || parts.contains("http") {
        try await runHTTPBench(runs: setting("runs", default: 1_000), clients: setting("posters", default: 16))
    }
    if parts.isEmpty || parts.contains("creates") {
        try await runCreatesBench(clients: setting("posters", default: 16), duration: setting("seconds", default: 10))
    }
} catch {
    FileHandle.standardError.write(Data("vidflow-bench: \(error)\n".utf8))
    exit(1)
}
