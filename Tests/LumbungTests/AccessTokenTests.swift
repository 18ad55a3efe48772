import Foundation
import Testing
@testable import Lumbung

/// Access tokens in the core: scopes against a simple model, the stored form, authentication.
@Suite struct AccessTokenTests {
    /// Every pair of a few codes at each level: `permits` and `narrow` agree with prefix arithmetic.
    @Test func scopeAgreesWithPrefixes() throws {
        let codes = try ["32", "32.16", "32.16.01", "32.16.01.2001", "32.16.01.2002", "32.16.02", "32.17", "31"].map { try KodeWilayah($0) }
        let desa = try ["32.16.01.2001", "32.16.01.2002", "32.16.02.2001", "32.17.01.2001"].map { try KodeWilayah($0) }
        func covers(_ outer: KodeWilayah?, _ inner: KodeWilayah) -> Bool {
            guard let outer else { return true }
            return inner.dotted == outer.dotted || inner.dotted.hasPrefix(outer.dotted + ".")
        }
        for scopeCode in [nil] + codes.map(Optional.some) {
            let scope = AccessScope(scopeCode)
            for household in desa {
                #expect(scope.permits(household) == covers(scopeCode, household), "\(scope) \(household)")
            }
            for requested in [nil] + codes.map(Optional.some) {
                let narrowed = scope.narrow(requested)
                // What the narrowed filter admits is exactly what both admit.
                for household in desa {
                    let both = covers(scopeCode, household) && covers(requested, household)
                    switch narrowed {
                    case .disjoint: #expect(!both, "\(scope) ∩ \(requested?.dotted ?? "*") holds \(household)")
                    case .within(let filter): #expect(covers(filter, household) == both, "\(scope) ∩ \(requested?.dotted ?? "*") for \(household)")
                    }
                }
            }
        }
        #expect(try AccessScope(parsing: "*") == .everything)
        #expect(try AccessScope(parsing: " 3216 ").wilayah == KodeWilayah("32.16"))
        #expect(throws: LumbungError.self) { try AccessScope(parsing: "99.99") }
    }

    @Test func issueAuthenticateRevoke() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        let scope = AccessScope(try KodeWilayah("32.16.01.2001"))
        let issued = try store.write { tx in try tx.issueToken(actor: "operator:3216012001", role: .operator, scope: scope) }
        let other = try store.write { tx in try tx.issueToken(actor: "pusat", role: .admin, scope: .everything) }
        #expect(issued.secret.count == 4 + 12 + 1 + 64)

        try store.read { tx in
            let tokens = try tx.tokens()
            #expect(tokens.map(\.id) == [issued.token.id, other.token.id].sorted())
            let found = try #require(try tx.token(id: issued.token.id))
            #expect(found == issued.token, "the stored form round-trips")
            #expect(found.role == .operator && found.scope == scope && found.actor == "operator:3216012001")
            #expect(try tx.authenticate(secret: issued.secret)?.id == issued.token.id)
            // A secret with the right id and a wrong key, a malformed one, another's key.
            var wrong = Array(issued.secret)
            wrong[wrong.count - 1] = wrong.last == "0" ? "1" : "0"
            #expect(try tx.authenticate(secret: String(wrong)) == nil)
            #expect(try tx.authenticate(secret: "lmb_\(issued.token.id)_" + other.secret.suffix(64)) == nil)
            #expect(try tx.authenticate(secret: "") == nil)
            #expect(try tx.authenticate(secret: issued.secret.uppercased()) == nil)
        }
        let revoked = try store.write { tx in try tx.revokeToken(id: issued.token.id) }
        #expect(revoked.isRevoked)
        let again = try store.write { tx in try tx.revokeToken(id: issued.token.id) }
        #expect(again.revoked == revoked.revoked, "revoking twice keeps the first time")
        #expect(try store.read { tx in try tx.authenticate(secret: issued.secret) } == nil)
        #expect(try store.read { tx in try tx.authenticate(secret: other.secret) }?.role == .admin)
        #expect(throws: LumbungError.self) { try store.write { tx in try tx.revokeToken(id: "000000000000") } }
        #expect(throws: LumbungError.self) { try store.write { tx in try tx.issueToken(actor: "", role: .viewer, scope: .everything) } }
        #expect(throws: LumbungError.self) { try store.write { tx in try tx.issueToken(actor: "a\u{7}b", role: .viewer, scope: .everything) } }
        #expect(try store.check().isClean)
    }

    @Test func rolesIncludeLowerRoles() throws {
        #expect(AccessRole.admin.includes(.operator) && AccessRole.admin.includes(.viewer))
        #expect(AccessRole.operator.includes(.viewer) && !AccessRole.operator.includes(.admin))
        #expect(!AccessRole.viewer.includes(.operator))
        #expect(try AccessRole(parsing: " Operator ") == .operator)
        #expect(throws: LumbungError.self) { try AccessRole(parsing: "root") }
    }
}

extension AccessTokenTests {
    /// A restore brings back the register, not old tokens: a token revoked after the snapshot
    /// stays revoked, and one issued after it stays valid.
    @Test func restoreKeepsTodaysTokens() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("store")
        let (old, new): (AccessToken.Issued, AccessToken.Issued)
        do {
            let store = try Store(path: path)
            old = try store.write { tx in try tx.issueToken(actor: "old", role: .admin, scope: .everything) }
            _ = try store.snapshots.create(period: try SnapshotName("2026-10"))
            try store.write { tx in
                try tx.revokeToken(id: old.token.id)
            }
            new = try store.write { tx in try tx.issueToken(actor: "new", role: .viewer, scope: .everything) }
        }
        _ = try Snapshots(storePath: path).restore(try SnapshotName("2026-10"))
        let store = try Store(path: path)
        try store.read { (tx) throws in
            #expect(try tx.authenticate(secret: old.secret) == nil, "the revoked token stays revoked")
            #expect(try tx.authenticate(secret: new.secret)?.actor == "new", "the newer token survives")
            #expect(try tx.tokens().count == 2)
        }
        #expect(try store.check().isClean)
    }
}
