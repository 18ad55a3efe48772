import Foundation
import Logging
import Lumbung

/// Writes log lines to standard error in swift-log's `StreamLogHandler` format, rendering
/// metadata only when a line is written.
///
/// `StreamLogHandler` renders its metadata again each time a key is set, and Hummingbird sets
/// the request id on every request's logger, so with it every request paid for rendering a
/// line that was mostly never logged (about 2% of the server's CPU under load).
///
/// ```swift
/// let logger = Logger(label: "lumbung.http") { StandardErrorLogHandler(label: $0) }
/// ```
struct StandardErrorLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit = event.metadata { all.merge(explicit) { _, new in new } }
        if let error = event.error { all["error"] = "\(error)" }
        let rendered = all.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        let text = "\(Timestamp.now.text(.seconds)) \(event.level) \(label):\(rendered) [\(event.source)] \(event.message)\n"
        Self.lines.withLock { _ in FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// Keeps lines from several threads whole.
    private static let lines = Locked(())
}
