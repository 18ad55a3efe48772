import Foundation
import Lumbung
import LumbungIO

/// Progress on standard error: a line every 100,000 households, or a `\r` bar on a terminal.
struct Progress {
    let total: Int
    let start = Date()
    private(set) var done = 0
    private var lastDraw = Date.distantPast
    private let interactive = Terminal.stderrIsTerminal
    private var drewBar = false
    static let lineEvery = 100_000

    init(total: Int) { self.total = total }

    var elapsed: Double { Date().timeIntervalSince(start) }

    mutating func advance() { update(done + 1) }

    /// Sets how many are done and draws when due.
    mutating func update(_ count: Int) {
        let crossed = count / Self.lineEvery > done / Self.lineEvery
        let step = count - done
        done = count
        if interactive {
            guard step > 1 || done % 256 == 0 || done == total else { return }
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.2 || done == total else { return }
            lastDraw = now
            let fraction = total > 0 ? Double(done) / Double(total) : 1
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r[\(bar)] \(status())\u{1B}[K".utf8))
            drewBar = true
        } else if crossed {
            Terminal.note(status())
        }
    }

    /// Ends the `\r` bar with a newline.
    mutating func finishLine() {
        if drewBar {
            FileHandle.standardError.write(Data("\n".utf8))
            drewBar = false
        }
    }

    private func status() -> String {
        let seconds = elapsed
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let percent = total > 0 ? done * 100 / total : 100
        return "\(done)/\(total) households (\(percent)%), \(Int(rate.rounded()))/s, ETA \(Self.format(seconds: eta))"
    }

    static func format(seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        return whole >= 3600
            ? String(format: "%dh%02dm%02ds", whole / 3600, whole / 60 % 60, whole % 60)
            : String(format: "%dm%02ds", whole / 60, whole % 60)
    }
}

/// Progress of an import, by input bytes (the household count is unknown until the end):
/// a `\r` bar on a terminal, else a line every 100,000 households.
final class ByteProgress: Sendable {
    private struct Drawn {
        var lastDraw = Date.distantPast
        var lastLine = 0
        var drewBar = false
    }

    private let drawn = Locked(Drawn())
    private let start = Date()
    private let interactive = Terminal.stderrIsTerminal

    func update(_ report: ImportProgress) {
        drawn.withLock { drawn in
            if interactive {
                let now = Date()
                guard now.timeIntervalSince(drawn.lastDraw) >= 0.2 else { return }
                drawn.lastDraw = now
                let fraction = report.bytesTotal > 0 ? min(1, Double(report.bytesRead) / Double(report.bytesTotal)) : 0
                let filled = Int(fraction * 30)
                let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: 30 - filled)
                FileHandle.standardError.write(Data("\r[\(bar)] \(status(report))\u{1B}[K".utf8))
                drawn.drewBar = true
            } else if report.households / Progress.lineEvery > drawn.lastLine / Progress.lineEvery {
                drawn.lastLine = report.households
                Terminal.note(status(report))
            }
        }
    }

    func finishLine() {
        drawn.withLock { drawn in
            if drawn.drewBar {
                FileHandle.standardError.write(Data("\n".utf8))
                drawn.drewBar = false
            }
        }
    }

    private func status(_ report: ImportProgress) -> String {
        let seconds = Date().timeIntervalSince(start)
        let rate = seconds > 0 ? Double(report.households) / seconds : 0
        let megabytes = { (bytes: Int) in String(format: "%.0f MB", Double(bytes) / 1_000_000) }
        guard report.bytesTotal > 0 else {
            return "\(report.households) households, \(megabytes(report.bytesRead)) read, \(Int(rate.rounded()))/s"
        }
        let fraction = min(1, Double(report.bytesRead) / Double(report.bytesTotal))
        let eta = fraction > 0 ? seconds / fraction - seconds : 0
        return "\(megabytes(report.bytesRead)) of \(megabytes(report.bytesTotal)) (\(Int(fraction * 100))%), "
            + "\(report.households) households, \(Int(rate.rounded()))/s, ETA \(Progress.format(seconds: eta))"
    }
}
