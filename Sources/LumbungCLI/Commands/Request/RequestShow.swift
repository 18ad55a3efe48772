import ArgumentParser
import Foundation
import Lumbung

struct RequestShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one change request with its history; --preview shows the register after it and the diff.",
        discussion: """
            Example:
              lumbung request show 17 --preview
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var who: RequestActorOptions

    @Argument(help: ArgumentHelp("The request id.", valueName: "id")) var id: RequestID
    @Flag(help: "The households as they would be after the request is applied, and the diff.") var preview = false
    @Flag(help: "JSON.") var json = false

    func run() throws {
        let store = try storeOptions.open(readOnly: true)
        let actor = try who.resolve(store)
        let (request, shown) = try store.read { tx -> (ChangeRequest?, RequestPreview?) in
            guard let request = try tx.request(id: id, for: actor) else { return (nil, nil) }
            return (request, preview ? try tx.preview(id, for: actor) : nil)
        }
        guard let request else {
            throw LumbungError(.workflowNotFound, field: "id", value: id.description, rule: "no request with this id in your scope")
        }
        if json {
            print(RequestJSON.value(request, for: actor, preview: shown).text)
            return
        }
        RequestOutput.print([request], for: actor, json: false)
        if let meeting = request.meeting { print("\(meeting.kindName) \(meeting.number) \(meeting.date)") }
        for item in request.evidence { print("bukti \(item.kind.name) \(item.mediaType) \(item.size) \(item.hex)") }
        for step in request.transitions {
            let who = actor.role != .citizen || step.actor == actor.actor ? " \(step.actor) (\(step.role))" : ""
            print("\(step.time.text(.seconds)) \(step.action) → \(step.state)\(who)\(step.note.isEmpty ? "" : ": \(step.note)")")
        }
        if let shown { shown.diff.forEach { print("diff \($0)") } }
    }
}
