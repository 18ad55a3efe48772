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

    /// The exit code of an error: its code's kind decides.
    static func code(for error: LumbungError) -> Int32 {
        switch error.code.kind {
        case .malformed, .invalidInput, .conflict, .unauthorized, .forbidden, .tooLarge, .unsupportedMediaType: invalidInput
        case .notFound: notFound
        case .methodNotAllowed: usage
        case .storageFull: storageFull
        case .verificationFailed: checkFailed
        case .rateLimited, .unavailable, .storage, .corrupt, .internal: internalError
        }
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
