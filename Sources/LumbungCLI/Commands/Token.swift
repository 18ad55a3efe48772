import ArgumentParser
import Foundation
import Lumbung

/// `lumbung token create|list|revoke`: the bearer tokens `lumbung serve` accepts.
struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke the bearer tokens of the HTTP API.",
        discussion: """
            Every HTTP route but /health needs `Authorization: Bearer <secret>`. A token has a \
            role (viewer reads; operator also writes; admin also reads the change feed and \
            metrics), a wilayah scope (a prefix at any level, or * for the whole store) and an \
            actor name, which the journal records for every write made with it. The store keeps \
            only the SHA-256 of the secret: `create` prints the secret once and it cannot be \
            shown again.

            Example:
              lumbung token create --actor operator:3216012001 --role operator --scope 32.16.01.2001
              lumbung token list
              lumbung token revoke 3f9a0c1b2d4e
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print its secret (once).",
            discussion: """
                Prints the secret alone on standard output (store it now: only its hash is kept) \
                and the token's id, role and scope on standard error.

                Example:
                  lumbung token create --actor dinsos-bekasi --role admin --scope 32.16
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: ArgumentHelp("The name the journal records for this token's writes.", valueName: "name"))
        var actor: String

        @Option(help: ArgumentHelp("What the token may do: viewer, operator, admin, or a workflow role: desa_operator (scope one desa), verifikator, kepala_opd, citizen.", valueName: "role"))
        var role: RoleChoice

        @Option(help: ArgumentHelp(
            "The wilayah prefix it may see and change (e.g. 32.16.01.2001), or * for the whole store (only * means that; an empty scope is refused).",
            valueName: "wilayah"))
        var scope: String

        /// An empty scope is a usage error (exit 2); a bad wilayah code is invalid input (exit 3, from run).
        func validate() throws {
            do {
                _ = try AccessScope(parsing: scope)
            } catch let error as LumbungError where error.code == .tokenScopeEmpty {
                throw ValidationError("--scope '\(scope)': \(error.rule)")
            } catch {}
        }

        func run() throws {
            let scope = try AccessScope(parsing: scope)
            let store = try storeOptions.open()
            let issued = try store.write(actor: "lumbung-cli") { tx in
                try tx.issueToken(actor: actor, role: role.role, scope: scope)
            }
            print(issued.secret)
            Terminal.note("token \(issued.token.id) created: actor \(issued.token.actor), role \(issued.token.role), scope \(issued.token.scope); the secret above is not shown again")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List tokens (never their secrets).",
            discussion: """
                One row per token: id, actor, role, scope, created and revoked (UTC). `--json` \
                prints one JSON object per line instead.

                Example:
                  lumbung token list --json
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Flag(help: "One JSON object per line.")
        var json = false

        func run() throws {
            let store = try storeOptions.open(readOnly: true)
            let tokens = try store.read { tx in try tx.tokens() }
            if json {
                for token in tokens {
                    let row: JSONValue = .object([
                        ("id", .string(token.id)), ("actor", .string(token.actor)),
                        ("role", .string(token.role.rawValue)), ("scope", .string(token.scope.description)),
                        ("created", .time(Timestamp(token.created), .seconds)),
                        ("revoked", token.revoked.map { .time(Timestamp($0), .seconds) } ?? .null),
                    ])
                    print(row.text)
                }
                return
            }
            var table = TextTable(columns: ["id", "actor", "role", "scope", "created", "revoked"])
            for token in tokens {
                table.add([
                    token.id, token.actor, token.role.rawValue, token.scope.description,
                    Timestamp(token.created).text(.seconds), token.revoked.map { Timestamp($0).text(.seconds) } ?? "-",
                ])
            }
            print(table.rendered(), terminator: "")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token; it authenticates nothing from then on.",
            discussion: """
                A running server refuses the token within a second (it remembers a token it \
                found for one second). An unknown id exits with code 4.

                Example:
                  lumbung token revoke 3f9a0c1b2d4e
                """)

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: ArgumentHelp("The token id (see `lumbung token list`).", valueName: "id"))
        var id: String

        func run() throws {
            let store = try storeOptions.open()
            let token = try store.write(actor: "lumbung-cli") { tx in try tx.revokeToken(id: id) }
            print("\(token.id) revoked")
        }
    }
}

/// A role on the command line.
enum RoleChoice: String, ExpressibleByArgument, CaseIterable {
    case viewer, `operator`, admin
    case desaOperator = "desa_operator", verifikator, kepalaOPD = "kepala_opd", citizen

    var role: AccessRole { AccessRole(rawValue: rawValue)! }
}
