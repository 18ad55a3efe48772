import ArgumentParser
import Foundation
import Lumbung

struct RequestAttach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach evidence (JPEG, PNG or PDF) to a draft or submitted request, by its SHA-256.",
        discussion: """
            The request records the file's SHA-256, media type, size and kind; the bytes are \
            not copied into the store by this command.

            Example:
              lumbung request attach 17 rumah.jpg --kind foto_rumah
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var who: RequestActorOptions

    @Argument(help: ArgumentHelp("The request id.", valueName: "id")) var id: RequestID
    @Argument(help: ArgumentHelp("The file.", valueName: "file")) var file: String
    @Option(help: ArgumentHelp("What it shows: " + EvidenceKind.allCases.map(\.name).joined(separator: ", ") + ".", valueName: "kind"))
    var kind: String
    @Flag(help: "JSON.") var json = false

    func run() throws {
        let kind = try EvidenceKind(parsing: kind, field: "kind")
        let store = try storeOptions.open()
        let reference = EvidenceReference(try store.evidence.add(file: file), kind: kind)
        let actor = try who.resolve(store)
        let request = try store.write(actor: actor.actor) { tx in try tx.attach(reference, to: id, by: actor) }
        if json { print(RequestJSON.value(request, for: actor).text) } else { print("\(request.id) \(kind.name) \(reference.hex)") }
    }
}
