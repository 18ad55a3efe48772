import Foundation
import Lumbung
import Testing

/// `lumbung token create|list|revoke` through the binary, on a real store.
@Suite struct TokenCLITests {
    @Test func createListRevoke() throws {
        let directory = TemporaryDirectory("lumbung-token")
        let store = directory.sub("store")
        #expect(try CLITests.run(["init"], store: store, in: directory).status == 0)

        let created = try CLITests.run(
            ["token", "create", "--actor", "operator:3216012001", "--role", "operator", "--scope", "32.16.01.2001"],
            store: store, in: directory)
        #expect(created.status == 0, "\(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.range(of: #"^lmb_[0-9a-f]{12}_[0-9a-f]{64}$"#, options: .regularExpression) != nil, "\(secret)")
        let id = String(secret.dropFirst(4).prefix(12))
        #expect(created.stderr.contains("token \(id) created"))

        // The store holds the token but never the secret.
        let data = try Data(contentsOf: URL(fileURLWithPath: store + "/data.mdb"))
        #expect(data.range(of: Data(secret.utf8)) == nil, "the secret is not stored in plain")
        #expect(data.range(of: Data(secret.suffix(64).utf8)) == nil)

        let listed = try CLITests.run(["token", "list", "--json"], store: store, in: directory)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!listed.stdout.contains(String(secret.suffix(64))))
        let rows = try listed.lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(rows.count == 1)
        #expect(rows.first?["id"] as? String == id)
        #expect(rows.first?["actor"] as? String == "operator:3216012001")
        #expect(rows.first?["role"] as? String == "operator")
        #expect(rows.first?["scope"] as? String == "32.16.01.2001")
        #expect(rows.first?["revoked"] is NSNull)

        let table = try CLITests.run(["token", "list"], store: store, in: directory)
        #expect(table.stdout.contains(id) && table.stdout.contains("operator:3216012001"))

        let stored = try Store(path: store, options: .readOnly)
        #expect(try stored.read { tx in try tx.authenticate(secret: secret)?.id } == id)

        let revoked = try CLITests.run(["token", "revoke", id], store: store, in: directory)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        #expect(try stored.read { tx in try tx.authenticate(secret: secret) } == nil, "a revoked token authenticates nothing")
        let afterRevoke = try CLITests.run(["token", "list", "--json"], store: store, in: directory)
        #expect(afterRevoke.stdout.contains("\"revoked\":\""))

        // The journal names the events, never the secret.
        let notes = try stored.read { tx in try tx.changes(after: 0) }.map(\.note)
        #expect(notes.contains { $0.contains("token \(id) issued") })
        #expect(notes.contains { $0.contains("token \(id) revoked") })
        #expect(!notes.contains { $0.contains(String(secret.suffix(64))) })
    }

    @Test func badInputExitCodes() throws {
        let directory = TemporaryDirectory("lumbung-token")
        let store = directory.sub("store")
        #expect(try CLITests.run(["init"], store: store, in: directory).status == 0)

        let unknownID = try CLITests.run(["token", "revoke", "000000000000"], store: store, in: directory)
        #expect(unknownID.status == 4)
        #expect(unknownID.stderr.contains("token.notFound"))

        let badScope = try CLITests.run(["token", "create", "--actor", "a", "--role", "viewer", "--scope", "99.99"], store: store, in: directory)
        #expect(badScope.status == 3, "\(badScope.stderr)")
        #expect(badScope.stderr.contains("wilayah."))

        let badRole = try CLITests.run(["token", "create", "--actor", "a", "--role", "root", "--scope", "*"], store: store, in: directory)
        #expect(badRole.status == 2, "\(badRole.stderr)")

        let emptyActor = try CLITests.run(["token", "create", "--actor", " ", "--role", "viewer", "--scope", "*"], store: store, in: directory)
        #expect(emptyActor.status == 3, "\(emptyActor.stderr)")
        #expect(emptyActor.stderr.contains("token.invalid"))

        let whole = try CLITests.run(["token", "create", "--actor", "pusat", "--role", "admin", "--scope", "*"], store: store, in: directory)
        #expect(whole.status == 0, "\(whole.stderr)")
        let listed = try CLITests.run(["token", "list", "--json"], store: store, in: directory)
        #expect(listed.lines.count == 1 && listed.stdout.contains(#""scope":"*""#))
    }
}
