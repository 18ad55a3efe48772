import ArgumentParser
import Foundation
import Lumbung

/// verify, approve, reject, withdraw, apply: one action on listed requests, or on every request
/// of a desa in the action's starting state, in one transaction.
struct RequestStepOptions: ParsableArguments {
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var who: RequestActorOptions

    @Argument(help: ArgumentHelp("Request ids.", valueName: "id")) var ids: [RequestID] = []
    @Option(help: ArgumentHelp("Every request of this wilayah (a desa, or wider) the action starts from, as one batch.", valueName: "code"))
    var desa: String?
    @Option(help: ArgumentHelp("The reason (a rejection needs one).", valueName: "text")) var note = ""
    @Flag(help: "Print each request as JSON, one a line.") var json = false

    func run(_ action: RequestAction, period: Period? = nil, all: Bool = false) throws {
        guard !ids.isEmpty || desa != nil || all else { throw ValidationError("name request ids, or --desa CODE") }
        let store = try storeOptions.open()
        let actor = try who.resolve(store)
        let wilayah = try desa.map { try KodeWilayah($0) }
        let done = try store.write(actor: actor.actor) { tx -> [ChangeRequest] in
            let listed = try tx.transition(ids, action, by: actor, note: note, period: period)
            guard wilayah != nil || (all && ids.isEmpty) else { return listed }
            return try listed + tx.transition(in: wilayah, action, by: actor, note: note, period: period)
        }
        if json { RequestOutput.print(done, for: actor, json: true) } else { print("\(done.count) requests: \(action) → \(RequestWorkflow.step(action).to)") }
    }
}

enum RequestStep {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify submitted requests (verifikator): diajukan → diverifikasi.")
        @OptionGroup var options: RequestStepOptions
        func run() throws { try options.run(.verify) }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve verified requests (kepala OPD): diverifikasi → disetujui.",
            discussion: "The approval's time decides the period: after the store's cut-off day, the next one. A desa's batch is one transaction.")
        @OptionGroup var options: RequestStepOptions
        func run() throws { try options.run(.approve) }
    }

    struct Reject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject requests, with a reason (--note): → ditolak.")
        @OptionGroup var options: RequestStepOptions
        func run() throws { try options.run(.reject) }
    }

    struct Withdraw: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw your own requests: → ditarik.")
        @OptionGroup var options: RequestStepOptions
        func run() throws { try options.run(.withdraw) }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply approved requests to the register, in one transaction: disetujui → diterapkan.",
            discussion: """
                Each request's changes go through the store's write path (indexes, counters, the \
                journal naming the request); clashes are checked again. All of them, or none. \
                --period P applies the requests of P and earlier (a request approved after P's \
                cut-off waits for its own period); without ids or --desa, every approved request.

                Example:
                  lumbung request apply --period 2026-11
                """)
        @OptionGroup var options: RequestStepOptions
        @Option(help: ArgumentHelp("Apply the requests of this period and earlier (YYYY-MM).", valueName: "period")) var period: String?
        func run() throws { try options.run(.apply, period: try period.map { try Period(parsing: $0) }, all: true) }
    }
}
