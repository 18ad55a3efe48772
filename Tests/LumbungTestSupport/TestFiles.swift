import Foundation
import Testing

/// A fresh directory under the temporary directory, removed at deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ name: String = "lumbung-test") {
        path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func sub(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// Waits for a child process, but not forever: after `seconds` it is killed and the test fails,
/// so a stuck child shows up as a failure naming its command instead of a hung test run.
public func waitBounded(_ process: Process, arguments: [String], seconds: TimeInterval = 180) {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning {
        if Date() > deadline {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("\(arguments.joined(separator: " ")) ran over \(Int(seconds)) s and was killed")
            break
        }
        usleep(2000)
    }
    process.waitUntilExit()
}

/// The built `lumbung` executable the CLI and live-server tests run: next to the test bundle,
/// or under the package's `.build` (debug, then release); nil if none is built.
public let lumbungBinary: String? = {
    var candidates: [URL] = []
    let bundle = Bundle.main.bundleURL
    candidates.append(bundle.deletingLastPathComponent().appendingPathComponent("lumbung"))
    candidates.append(bundle.appendingPathComponent("lumbung"))
    for bundle in Bundle.allBundles {
        candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("lumbung"))
    }
    // Tests/LumbungTestSupport/TestFiles.swift → the package root.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates.append(root.appendingPathComponent(".build/debug/lumbung"))
    candidates.append(root.appendingPathComponent(".build/release/lumbung"))
    return candidates.map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Flips one byte of a file in place (XOR 0x5A), making it writable first: a corruption a
/// digest must catch.
public func flipByte(_ path: String, at offset: Int) throws {
    chmod(path, 0o644)
    guard let handle = FileHandle(forUpdatingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
    defer { try? handle.close() }
    try handle.seek(toOffset: UInt64(offset))
    guard let byte = try handle.read(upToCount: 1)?.first else { throw CocoaError(.fileReadTooLarge) }
    try handle.seek(toOffset: UInt64(offset))
    try handle.write(contentsOf: Data([byte ^ 0x5A]))
}
