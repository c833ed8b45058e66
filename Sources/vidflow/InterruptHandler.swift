import Dispatch
import Foundation
import Synchronization

/// Ctrl-C during a foreground run: the first asks the run to cancel (it ends `cancelled`, exit 1),
/// a second one exits at once (130) and leaves the run for `vidflow resume`.
final class InterruptHandler: Sendable {
    private let presses = Mutex(0)
    private let onFirst: @Sendable () -> Void
    private let source = Mutex<(any DispatchSourceSignal)?>(nil)

    init(onFirst: @escaping @Sendable () -> Void) {
        self.onFirst = onFirst
        signal(SIGINT, SIG_IGN)
        source.withLock { current in
            let created = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
            created.setEventHandler { [self] in pressed() }
            created.resume()
            current = created
        }
    }

    private func pressed() {
        let count = presses.withLock { value -> Int in
            value += 1
            return value
        }
        if count == 1 {
            Console.writeError((Console.stderrIsTerminal ? "\u{1B}[?25h\n" : "")
                + "vidflow: cancelling the run (Ctrl-C again to leave it for `vidflow resume`)\n")
            onFirst()
        } else {
            if Console.stderrIsTerminal { Console.writeError("\u{1B}[?25h") }
            exit(130)
        }
    }

    /// Stops handling Ctrl-C and restores the default action.
    func remove() {
        source.withLock { current in
            current?.cancel()
            current = nil
        }
        signal(SIGINT, SIG_DFL)
    }
}
