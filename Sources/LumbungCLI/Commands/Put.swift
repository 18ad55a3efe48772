import ArgumentParser
import Foundation
import Lumbung

struct Put: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Insert or update one household from JSON.",
        discussion: """
            Reads one household JSON object from FILE or standard input. Without "id" it is \
            inserted; with "id" it replaces that household. Prints the id and what happened \
            (inserted, updated or unchanged). Members with an invalid or missing NIK are refused \
            unless --keep-invalid-nik stores them flagged. The status follows change requests \
            (`lumbung request`): a new household is usulan and an update keeps the stored \
            status, else household.statusLocked (exit 3).

            Example:
              lumbung put household.json --actor operator:desa-2001
              lumbung get --id 17 --json | jq '.desil = 2' | lumbung put
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The JSON file (default: standard input).", valueName: "file"))
    var file: String?

    @Flag(name: .customLong("keep-invalid-nik"), help: "Store members with an invalid or missing NIK, flagged.")
    var keepInvalidNIK = false

    @OptionGroup var actorOptions: ActorOption

    func run() throws {
        let bytes: Data
        if let file, file != "-" {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw CLIError.invalidInput("cannot read \(file)")
            }
            bytes = contents
        } else {
            bytes = FileHandle.standardInput.readDataToEndOfFile()
        }
        let household = try HouseholdJSON.decode(bytes)
        let policy: NIKPolicy = keepInvalidNIK ? .keepFlagged : .strict
        let store = try storeOptions.open()
        let result = try store.write(actor: actorOptions.actor) { try $0.put(household, nikPolicy: policy, status: .direct) }
        print("\(result.id) \(result.outcome)")
    }
}
