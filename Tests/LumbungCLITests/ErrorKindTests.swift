import Foundation
import Lumbung
import LumbungIO
import Testing

/// Every error code is declared once, with its kind, and adapters decide by the kind alone.
@Suite struct ErrorKindTests {
    /// Each `static let NAME = Self("raw.code", .kind)` declared on `LumbungError.Code` anywhere
    /// in Sources, as (file, raw code, kind).
    static func declaredCodes() throws -> [(file: String, code: String, kind: String)] {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        let declaration = try Regex(#"static let \w+(?::\s*Self)?\s*=\s*(?:Self|LumbungError\.Code)\(\s*"([\w.]+)"\s*,\s*\.(\w+)\s*\)"#)
        var found: [(String, String, String)] = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
                .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            guard text.contains("extension LumbungError.Code") else { continue }
            for match in text.matches(of: declaration) {
                found.append((file, String(match.output[1].substring!), String(match.output[2].substring!)))
            }
            // A code constant that is not declared through `Self(raw, kind)` would have no kind.
            let constants = text.matches(of: try Regex(#"public static let \w+"#)).count
            #expect(constants == text.matches(of: declaration).count, "\(file): every code constant names its kind")
        }
        return found
    }

    @Test func everyCodeIsDeclaredOnceWithAKind() throws {
        let codes = try Self.declaredCodes()
        #expect(codes.count > 90, "the scan found the declarations (\(codes.count))")
        let kinds = Set(LumbungError.Kind.allCases.map(\.rawValue))
        for code in codes {
            #expect(kinds.contains(code.kind), "\(code.file): \(code.code) has kind \(code.kind)")
            #expect(code.code.split(separator: ".").count == 2 || code.code == "internal", "\(code.code) is domain.name")
        }
        let byRaw = Dictionary(grouping: codes, by: \.code)
        for (raw, declarations) in byRaw {
            #expect(declarations.count == 1, "\(raw) is declared \(declarations.count) times: \(declarations.map(\.file))")
        }
    }

    @Test func codesCompareByTheirTextAndCarryTheirKind() {
        #expect(LumbungError.Code.nikDuplicate.kind == .conflict)
        #expect(LumbungError.Code.storeFull.kind == .storageFull)
        #expect(LumbungError.Code.fileZstd.kind == .malformed, "a corrupt .zst is bad input, not a server fault")
        #expect(LumbungError.Code.householdNotFound.kind == .notFound)
        #expect(LumbungError.Code.snapshotCorrupt.kind == .verificationFailed)
        #expect(LumbungError.Code.recordCorrupt.kind == .corrupt)
        let error = LumbungError(.nikDuplicate, rule: "x")
        #expect(error.code == .nikDuplicate && error.code != .kkDuplicate)
    }

    /// A corrupt `.zst` input is invalid input (exit 3), naming the file's problem.
    @Test func aCorruptZstdInputExitsAsInvalidInput() throws {
        let directory = TemporaryDirectory("lumbung-kind")
        let file = directory.sub("households.csv.zst")
        // The zstd magic number, then bytes no frame header allows.
        try Data([0x28, 0xB5, 0x2F, 0xFD] + Array(repeating: 0xFF, count: 64)).write(to: URL(fileURLWithPath: file))
        let result = try CLITests.run(["import", file], store: directory.sub("store"), in: directory)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("[file.zstd]"), "\(result.stderr)")
    }
}
