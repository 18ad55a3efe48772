import ArgumentParser
import Foundation
import Lumbung

/// `lumbung request`: the register's workflow (proposals, verification, approval, apply).
struct RequestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Change requests: propose, verify, approve, reject, withdraw and apply changes to the register.",
        discussion: """
            A household's status follows change requests only. Each command acts as a token \
            (--token or $LUMBUNG_TOKEN: its actor, role and scope), or as --as ROLE --actor NAME \
            --scope CODE (default: admin, lumbung-cli, the whole store). Which role may take which \
            action, from which state, and what each needs, is README's workflow table.

            Example:
              lumbung request submit usul.json --token "$DESA_TOKEN"
              lumbung request verify --desa 32.16.01.2001 --as verifikator --actor verif:ani
              lumbung request approve --desa 32.16.01.2001 --as kepala_opd --actor kadis
              lumbung request apply --period 2026-11
            """,
        subcommands: [
            RequestSubmit.self, RequestList.self, RequestShow.self, RequestAttach.self,
            RequestStep.Verify.self, RequestStep.Approve.self, RequestStep.Reject.self,
            RequestStep.Withdraw.self, RequestStep.Apply.self,
        ])
}

/// Who acts: a token, or a role, actor and scope given on the command line.
struct RequestActorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Act as this token (its secret; default $LUMBUNG_TOKEN): its actor, role and scope.", valueName: "secret"))
    var token: String?

    @Option(name: .customLong("as"), help: ArgumentHelp("Without a token: the role to act in.", valueName: "role"))
    var role: RoleChoice = .admin

    @Option(help: ArgumentHelp("Without a token: who the request's history and the journal name.", valueName: "name"))
    var actor: String = "lumbung-cli"

    @Option(help: ArgumentHelp("Without a token: the wilayah scope (a code, or * for the whole store).", valueName: "code"))
    var scope: String = "*"

    func resolve(_ store: Store) throws -> RequestActor {
        if let secret = token ?? ProcessInfo.processInfo.environment["LUMBUNG_TOKEN"], !secret.isEmpty {
            guard let token = try store.read({ tx in try tx.authenticate(secret: secret) }) else {
                throw LumbungError(.authInvalid, field: "token", rule: "no live token has this secret")
            }
            return RequestActor(token: token)
        }
        let scope = try AccessScope(parsing: scope)
        try role.role.checkScope(scope)
        return RequestActor(actor: actor, role: role.role, scope: scope)
    }
}

enum RequestOutput {
    /// One line a request: `id  type  state  desa  household`, or its JSON with --json.
    static func print(_ requests: [ChangeRequest], for actor: RequestActor, json: Bool) {
        if json {
            for request in requests { Swift.print(RequestJSON.value(request, for: actor).text) }
            return
        }
        var table = TextTable(columns: ["id", "jenis", "status", "kode_wilayah", "rumah_tangga", "periode"])
        for request in requests {
            let official = actor.role != .citizen
            table.add([
                request.id.description, request.type.name, request.state.name,
                official ? request.desa.dotted : "-", official ? request.householdID?.description ?? "-" : "-",
                request.period?.description ?? "-",
            ])
        }
        Swift.print(table.rendered(), terminator: "")
    }
}

extension RequestID: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
