import Hummingbird

/// The web console's static files (`Console/Files`, embedded at build time by the
/// EmbedTextPlugin): HTML, one stylesheet and plain ES modules, no server logic.
enum ConsoleFiles {
    /// A file's text and media type by its path under `/console/`; `index.html` for the root.
    static func file(_ path: String) -> (text: String, mediaType: String)? {
        let name = path.isEmpty ? "index.html" : path
        guard let text = consoleFileTexts[name] else { return nil }
        return (text, mediaType(name))
    }

    /// Every file's path, for tests of the set as a whole (its size, its references).
    static var paths: [String] { consoleFileTexts.keys.sorted() }

    /// The media type of a console file by its extension (the only kinds the console holds).
    static func mediaType(_ name: String) -> String {
        switch name.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        default: "text/plain; charset=utf-8"
        }
    }
}
