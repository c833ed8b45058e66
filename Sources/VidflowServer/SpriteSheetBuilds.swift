import VidflowProviders

/// Makes each kept sprite sheet once: concurrent requests for the same video wait on the one decode already under
/// way instead of starting their own. The decode finishes (and is kept) even if the request that started it goes away.
actor SpriteSheetBuilds {
    static let shared = SpriteSheetBuilds()

    private var running: [String: Task<Void, any Error>] = [:]

    /// Writes the default sheet of `video` to `sheet`, or waits for the build of it already running.
    func make(video: String, sheet: String) async throws {
        if let build = running[sheet] { return try await build.value }
        let build = Task { try await SpriteSheetStage.makeDefaultSheet(input: video, output: sheet) }
        running[sheet] = build
        defer { running[sheet] = nil }
        try await build.value
    }
}
