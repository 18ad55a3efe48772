import Foundation
import Lumbung
import Testing

/// Issue 11 through the binary: empty scope and store, writes through a snapshot's path, a failed
/// import's clean-up, import's usage errors, a missing store under `--snapshot`, and another OS
/// user reading a store.
@Suite("lumbung hardening", .serialized)
struct CLIHardeningTests {
    typealias CLI = CLITests

    // MARK: Item 4: only an explicit * is the whole store; an empty store path is an error

    @Test func anEmptyScopeIsAUsageErrorAndMintsNoToken() throws {
        let directory = TemporaryDirectory("lumbung-hardening")
        let store = directory.sub("store")
        #expect(try CLI.run(["init"], store: store, in: directory).status == 0)
        for scope in ["", "  ", "\t"] {
            let result = try CLI.run(["token", "create", "--actor", "a", "--role", "admin", "--scope", scope], store: store, in: directory)
            #expect(result.status == 2, "scope '\(scope)': \(result.stderr)")
            #expect(result.stderr.contains("--scope") && result.stderr.contains("must not be empty") && result.stderr.contains("*"), "\(result.stderr)")
            #expect(result.stdout.isEmpty, "no secret is printed")
        }
        let listed = try CLI.run(["token", "list", "--json"], store: store, in: directory)
        #expect(listed.status == 0 && listed.stdout.isEmpty, "no token was created: \(listed.stdout)")
        let whole = try CLI.run(["token", "create", "--actor", "pusat", "--role", "admin", "--scope", "*"], store: store, in: directory)
        #expect(whole.status == 0 && whole.stderr.contains("scope *"), "\(whole.stderr)")
    }

    @Test func anEmptyStorePathIsAUsageErrorAndNothingIsCreated() throws {
        let directory = TemporaryDirectory("lumbung-hardening")
        let work = directory.sub("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        for arguments in [["init"], ["generate", "--households", "3"], ["stats"], ["token", "create", "--actor", "a", "--role", "viewer", "--scope", "*"]] {
            for empty in ["", " "] {
                let result = try CLI.run(arguments + ["--store", empty], workingDirectory: work, in: directory)
                #expect(result.status == 2, "\(arguments) --store '\(empty)': \(result.stderr)")
                #expect(result.stderr.contains("--store") && result.stderr.contains("must not be empty"), "\(result.stderr)")
            }
            let fromEnvironment = try CLI.run(arguments, environment: ["LUMBUNG_STORE": ""], workingDirectory: work, in: directory)
            #expect(fromEnvironment.status == 2, "\(arguments) with LUMBUNG_STORE='': \(fromEnvironment.stderr)")
            #expect(fromEnvironment.stderr.contains("$LUMBUNG_STORE"), "\(fromEnvironment.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: work).isEmpty, "no ./lumbung-data was made")
        // A set variable still names the store.
        let named = try CLI.run(["init"], environment: ["LUMBUNG_STORE": directory.sub("env-store")], workingDirectory: work, in: directory)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory.sub("env-store/data.mdb")))
    }

    // MARK: Item 6: a snapshot never opens for writing; reads check it is intact

    @Test func aSnapshotRefusesWritesWhateverPathLeadsToIt() throws {
        let (directory, store) = try CLI.generatedStore()
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        let snapshot = store + "/snapshots/2026-10"
        let link = directory.sub("frozen-link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: snapshot)
        let paths = [snapshot, snapshot + "/", snapshot + "//", store + "/snapshots/../snapshots/2026-10", store + "/./snapshots/2026-10/.", link, link + "/"]
        for path in paths {
            let deleted = try CLI.run(["delete", "--id", "1"], store: path, in: directory)
            #expect(deleted.status == 3, "\(path): \(deleted.stderr)")
            #expect(deleted.stderr.contains("snapshot.frozen"), "\(path): \(deleted.stderr)")
            let token = try CLI.run(["token", "create", "--actor", "a", "--role", "admin", "--scope", "*"], store: path, in: directory)
            #expect(token.status == 3 && token.stderr.contains("snapshot.frozen"), "\(path): \(token.stderr)")
        }
        // A snapshot's leftovers in the snapshot area do not open for writing either.
        let leftover = store + "/snapshots/.tmp-2026-11-1-abcd"
        try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: true)
        let intoLeftover = try CLI.run(["init"], store: leftover, in: directory)
        #expect(intoLeftover.status == 3 && intoLeftover.stderr.contains("snapshot.frozen"), "\(intoLeftover.stderr)")
        try FileManager.default.removeItem(atPath: leftover)

        // Reading the directory as a store works, and leaves no lock file in it.
        let stats = try CLI.run(["stats", "--json"], store: link, in: directory)
        #expect(stats.status == 0, "\(stats.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: snapshot).sorted() == ["data.mdb", "manifest.json"])
        let verify = try CLI.run(["snapshot", "verify", "2026-10"], store: store, in: directory)
        #expect(verify.status == 0, "the snapshot is unchanged: \(verify.stdout)")
        let household = try CLI.run(["get", "--id", "1", "--snapshot", "2026-10", "--json"], store: store, in: directory)
        #expect(household.status == 0, "household 1 is still in the snapshot: \(household.stderr)")
    }

    @Test func aChangedSnapshotIsNotReadAndTheCheckIsRemembered() throws {
        let (directory, store) = try CLI.generatedStore()
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        let first = try CLI.run(["get", "--id", "1", "--snapshot", "2026-10", "--json"], store: store, in: directory)
        #expect(first.status == 0, "\(first.stderr)")
        // The check is remembered in the snapshot area, where list and prune do not see a snapshot.
        let record = store + "/snapshots/.verified"
        let remembered = try String(contentsOfFile: record, encoding: .utf8)
        #expect(remembered.hasPrefix("2026-10 "), "\(remembered)")
        let list = try CLI.run(["snapshot", "list"], store: store, in: directory)
        #expect(list.status == 0 && !list.stdout.contains("verified") && !list.stdout.contains("INCOMPLETE"), "\(list.stdout)")
        #expect(try CLI.run(["snapshot", "prune", "--keep", "1"], store: store, in: directory).status == 0)
        #expect(FileManager.default.fileExists(atPath: store + "/snapshots/2026-10/data.mdb"))

        // Change one byte, keep the size and put the mtime back: the ctime still shows it.
        let data = store + "/snapshots/2026-10/data.mdb"
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: data)[.modificationDate] as? Date)
        try flipByte(data, at: 5000)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: data)
        let changed = try CLI.run(["get", "--id", "1", "--snapshot", "2026-10", "--json"], store: store, in: directory)
        #expect(changed.status == 5, "\(changed.stderr)")
        #expect(changed.stderr.contains("snapshot.corrupt") && changed.stderr.contains("data.mdb") && changed.stderr.contains("snapshot verify"), "\(changed.stderr)")
        #expect(changed.stdout.isEmpty, "nothing of the changed snapshot is served")
        for command in [["stats"], ["find", "--limit", "1"], ["export", "--out", "-", "--format", "jsonl"]] {
            let result = try CLI.run(command + ["--snapshot", "2026-10"], store: store, in: directory)
            #expect(result.status == 5 && result.stderr.contains("snapshot.corrupt"), "\(command): \(result.stderr)")
        }
        // Put the byte back: the snapshot reads again.
        try flipByte(data, at: 5000)
        #expect(try CLI.run(["get", "--id", "1", "--snapshot", "2026-10"], store: store, in: directory).status == 0)
    }

    // MARK: Item 7: a failed import removes only what it created

    @Test func aFailedImportKeepsADirectoryItDidNotCreateAndRemovesTheParentsItDid() throws {
        let fixture = try CLIImportFixture()
        var file = fixture.fresh
        file.setHousehold(file.householdIDs[0], "status", "entah")
        let bad = fixture.directory.sub("bad.csv")
        try file.write(to: bad)

        let existing = fixture.directory.sub("d")
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false)
        let intoExisting = try CLI.run(["import", bad], store: existing, in: fixture.directory)
        #expect(intoExisting.status == 3, "\(intoExisting.stderr)")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: existing, isDirectory: &isDirectory) && isDirectory.boolValue, "the empty directory it was given stays")
        #expect(try FileManager.default.contentsOfDirectory(atPath: existing).isEmpty, "and holds nothing the import made")

        let parent = fixture.directory.sub("kept")
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        let nested = parent + "/new/a/b"
        let intoNested = try CLI.run(["import", bad], store: nested, in: fixture.directory)
        #expect(intoNested.status == 3, "\(intoNested.stderr)")
        #expect(!FileManager.default.fileExists(atPath: parent + "/new"), "the directories it created are gone")
        #expect(FileManager.default.fileExists(atPath: parent), "the parent that was there stays")

        // A directory holding something else: only the store's files go.
        let shared = fixture.directory.sub("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: shared + "/notes.txt"))
        #expect(try CLI.run(["import", bad], store: shared, in: fixture.directory).status == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: shared) == ["notes.txt"])
    }

    // MARK: Item 10: usage errors of import, a missing store under --snapshot, another user

    @Test func importOfAFileWithoutAKnownExtensionOrOfADirectoryIsAUsageError() throws {
        let directory = TemporaryDirectory("lumbung-hardening")
        let store = directory.sub("store")
        let noext = directory.sub("noext")
        try Data("nomor_kk\n".utf8).write(to: URL(fileURLWithPath: noext))
        let unknown = try CLI.run(["import", noext], store: store, in: directory)
        #expect(unknown.status == 2, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("noext") && unknown.stderr.contains("--format"), "\(unknown.stderr)")

        let folder = directory.sub("folder.csv")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        for arguments in [["import", folder], ["import", directory.path, "--format", "csv"]] {
            let result = try CLI.run(arguments, store: store, in: directory)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("is a directory"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: store), "no store was created")
    }

    @Test func aSnapshotReadOnAMissingStoreSaysTheStoreIsMissing() throws {
        let directory = TemporaryDirectory("lumbung-hardening")
        let result = try CLI.run(["get", "--id", "1", "--snapshot", "2026-10"], store: directory.sub("nowhere"), in: directory)
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.contains("store.notFound") && result.stderr.contains("nowhere"), "\(result.stderr)")

        let (generated, store) = try CLI.generatedStore()
        let missingSnapshot = try CLI.run(["get", "--id", "1", "--snapshot", "2026-10"], store: store, in: generated)
        #expect(missingSnapshot.status == 4 && missingSnapshot.stderr.contains("snapshot.notFound"), "\(missingSnapshot.stderr)")
    }

    /// Another OS user (nobody) on a store root created: a clear refusal naming the lock file,
    /// and the snapshots, which need read permission only, read.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs root and setpriv to run the binary as another user"))
    func anotherUserGetsAClearRefusalAndReadsSnapshots() throws {
        let (directory, store) = try CLI.generatedStore()
        #expect(try CLI.run(["snapshot", "create", "2026-10"], store: store, in: directory).status == 0)
        chmod(directory.path, 0o755)
        let nobody: uid_t = 65534
        let live = try CLI.run(["stats"], store: store, user: nobody, in: directory)
        #expect(live.status == 1, "\(live.stderr)")
        #expect(live.stderr.contains("store.permission") && live.stderr.contains("lock.mdb") && live.stderr.contains("read-write"), "\(live.stderr)")
        let write = try CLI.run(["delete", "--id", "1"], store: store, user: nobody, in: directory)
        #expect(write.status == 1 && write.stderr.contains("store.permission") && write.stderr.contains("data.mdb"), "\(write.stderr)")
        let snapshot = try CLI.run(["get", "--id", "1", "--snapshot", "2026-10", "--json"], store: store, user: nobody, in: directory)
        #expect(snapshot.status == 0, "a snapshot needs read permission only: \(snapshot.stderr)")
        // With the documented group permissions (here: for everyone) the live store reads.
        chmod(store + "/lock.mdb", 0o666)
        let shared = try CLI.run(["stats"], store: store, user: nobody, in: directory)
        #expect(shared.status == 0, "\(shared.stderr)")
    }
}
