import Foundation
import Testing
@testable import Lumbung

/// `lumbung get --history`: a household's journal entries, newest first, through the journal's
/// household index; a read-only old store would say what to run, and `init` builds the index.
@Suite struct CLIHistoryTests {
    @Test func historyNewestFirst() throws {
        let (directory, store) = try CLITests.generatedStore()
        let moved = try CLITests.run(["delete", "--id", "7"], store: store, in: directory)
        #expect(moved.status == 0, "\(moved.stderr)")
        let seven = try CLITests.run(["get", "--id", "7", "--history"], store: store, in: directory)
        #expect(seven.status == 4, "a deleted household is not found: \(seven.stdout)")
        let history = try CLITests.run(["get", "--id", "8", "--history"], store: store, in: directory)
        #expect(history.status == 0, "\(history.stderr)")
        let lines = history.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("SEQ") && lines[1].contains("insert"), "\(history.stdout)")
        let both = try CLITests.run(["get", "--id", "8", "--history", "--json"], store: store, in: directory)
        #expect(both.status == 2, "\(both.stderr)")
    }
}
