import Foundation
import Lumbung

/// The exit codes the root command documents.
enum ExitCodes {
    static let ok: Int32 = 0
    static let internalError: Int32 = 1
    static let usage: Int32 = 2
    static let invalidInput: Int32 = 3
    static let notFound: Int32 = 4
    static let checkFailed: Int32 = 5
    static let storageFull: Int32 = 6

    /// Domains whose errors mean the caller's input was refused.
    static let inputDomains: Set<Substring> = ["nik", "kk", "wilayah", "household", "member", "attribute", "json", "query", "row", "csv", "import", "snapshot", "token"]

    /// A full disk (or map) → 6; a snapshot that does not verify → 5; `*.notFound` → 4; an input
    /// domain → 3; anything else (store, record) → 1.
    static func code(for error: LumbungError) -> Int32 {
        if error.code == .storeFull || error.code == .storeMapFull { return storageFull }
        if error.code == .snapshotCorrupt || error.code == .snapshotIncomplete { return checkFailed }
        if error.code.rawValue.hasSuffix(".notFound") { return notFound }
        if inputDomains.contains(error.code.domain) { return invalidInput }
        return internalError
    }
}

/// An error of the CLI itself, with the exit code it maps to.
struct CLIError: Error {
    var message: String
    var exitCode: Int32

    static func notFound(_ message: String) -> CLIError { CLIError(message: message, exitCode: ExitCodes.notFound) }
    static func invalidInput(_ message: String) -> CLIError { CLIError(message: message, exitCode: ExitCodes.invalidInput) }
}

/// Standard error output: diagnostics, progress, errors.
enum Terminal {
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        note("error: " + text)
    }

    /// Whether standard error is an interactive terminal.
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Writes raw bytes to standard output.
    static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }
}
