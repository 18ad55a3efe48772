import ArgumentParser
import Foundation
import Lumbung

struct RequestSubmit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Create change requests from JSON and submit them (diajukan), in one transaction.",
        discussion: """
            FILE (default: standard input) holds one request object, or one a line (JSON Lines): \
            all are created, or none when one is refused (its line, field, value and rule are \
            named). --draft keeps them as drafts (submit later with `request submit --id`). \
            Keys: jenis, rumah_tangga_id (or nomor_kk), the change (rumah_tangga, anggota, nik, \
            nik_baru, nomor_kk_baru, alasan, tujuan, gabung), berita_acara or sptjm {nomor, \
            tanggal}, bukti [{sha256, media_type, ukuran, jenis}], catatan.

            Example:
              echo '{"jenis":"keluar","rumah_tangga_id":42,"alasan":"pindah","berita_acara":{"nomor":"BA-07/2026","tanggal":"2026-11-02"}}' \\
                | lumbung request submit --as desa_operator --actor desa:2001 --scope 32.16.01.2001
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var who: RequestActorOptions

    @Argument(help: ArgumentHelp("The JSON or JSON Lines file (default: standard input).", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("Submit these drafts instead of reading a file.", valueName: "id"))
    var id: [RequestID] = []

    @Flag(help: "Keep the new requests as drafts.")
    var draft = false

    @Flag(help: "Print each request as JSON, one a line.")
    var json = false

    func run() throws {
        let store = try storeOptions.open()
        let actor = try who.resolve(store)
        if !id.isEmpty {
            let done = try store.write(actor: actor.actor) { tx in try tx.transition(id, .submit, by: actor) }
            RequestOutput.print(done, for: actor, json: json)
            return
        }
        let bytes: Data
        if let file, file != "-" {
            guard let contents = FileManager.default.contents(atPath: file) else { throw CLIError.invalidInput("cannot read \(file)") }
            bytes = contents
        } else {
            bytes = FileHandle.standardInput.readDataToEndOfFile()
        }
        var drafts: [(line: Int, draft: ChangeRequest.Draft)] = []
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let single = lines.filter { !$0.allSatisfy { $0 == 0x20 || $0 == 0x0D || $0 == 0x09 } }.count > 1 ? false : true
        if single {
            drafts.append((1, try RequestJSON.draft(bytes)))
        } else {
            for (index, line) in lines.enumerated() where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) {
                do { drafts.append((index + 1, try RequestJSON.draft(line))) } catch let error as LumbungError {
                    throw CLIError.invalidInput("line \(index + 1): \(error.message)")
                }
            }
        }
        let created = try store.write(actor: actor.actor) { tx in
            try drafts.map { entry in
                do { return try tx.createRequest(entry.draft, by: actor, submit: !draft) } catch let error as LumbungError where drafts.count > 1 {
                    throw LumbungError(error.code, field: "line \(entry.line): \(error.field ?? "")", value: error.value, rule: error.rule)
                }
            }
        }
        RequestOutput.print(created, for: actor, json: json)
    }
}
