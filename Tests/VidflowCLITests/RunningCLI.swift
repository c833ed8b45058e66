import Foundation

/// A `vidflow` child process still running: kill it, or wait for it and read its output.
struct RunningCLI {
    let process: Process
    let stdoutPath: String
    let stderrPath: String

    var pid: Int32 { process.processIdentifier }

    /// Sends `signal` (e.g. SIGKILL) to the process.
    func kill(_ signal: Int32) {
        _ = Foundation.kill(process.processIdentifier, signal)
    }

    /// Waits for the end (SIGKILL after `timeout` seconds) and collects status and output.
    func finish(timeout: TimeInterval = 30) -> CLIResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(SIGKILL) }
        process.waitUntilExit()
        let stdout = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        return CLIResult(status: process.terminationStatus, stdout: stdout, stderr: stderr,
                         signalled: process.terminationReason == .uncaughtSignal)
    }
}
