import ArgumentParser
import Foundation
import Lumbung

/// `lumbung evidence …`: the store's evidence attachments.
struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, verify and limit evidence attachments (photos of the house and KTP, statements).",
        discussion: """
            Attachments are JPEG, PNG or PDF files, told by their first bytes, up to the store's \
            size limit (10 MiB unless set). Each is stored once under STORE/evidence/ by its \
            SHA-256 (adding the same bytes again stores nothing new) and written atomically: a \
            killed add leaves nothing under a digest's name. Change requests reference an \
            attachment by its digest; `lumbung gc` removes those nothing references, never one a \
            snapshot references.

            Example:
              lumbung evidence add rumah.jpg ktp.png --json
              lumbung evidence verify
              lumbung evidence limit 4194304
            """,
        subcommands: [EvidenceAdd.self, EvidenceVerify.self, EvidenceLimit.self])
}

struct EvidenceAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Store files as attachments and print each one's digest, type and size.",
        discussion: """
            Prints `DIGEST  TYPE  SIZE  FILE` per file, or with --json one object per line \
            ({"digest", "media_type", "size", "file"}). A file refused (not a JPEG, PNG or PDF by \
            its first bytes, or over the limit) stops the command with its error; the files \
            before it are stored.

            Example:
              lumbung evidence add --store /var/lib/lumbung/3216 rumah.jpg --json
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: ArgumentHelp("The files to add.", valueName: "file"))
    var files: [String]

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() throws {
        let store = try storeOptions.open()
        for file in files {
            let attachment = try store.evidence.add(file: file)
            if json {
                guard case .object(let fields) = attachment.json else { continue }
                print(JSONValue.object(fields + [("file", .string(file))]).text)
            } else {
                print("\(attachment.digest.hex)  \(attachment.mediaType.mimeType)  \(attachment.size)  \(file)")
            }
        }
    }
}

struct EvidenceVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every referenced attachment exists and hashes to its digest.",
        discussion: """
            Hashes the file of every digest the store references and reports each one missing \
            or changed, naming the digest and its referrers; exits with code 5 when there is \
            any. (`lumbung check` does the same after the records; `lumbung snapshot verify` \
            for what a snapshot references.)

            Example:
              lumbung evidence verify --store /var/lib/lumbung/3216
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("Print at most this many issues.", valueName: "n"))
    var limit: Int = 1000

    func run() throws {
        let store = try storeOptions.open(readOnly: true)
        let report = try store.evidence.verify(limit: max(0, limit))
        print("attachments: \(report.attachments)")
        print("references: \(report.references)")
        print("bytes: \(report.bytes)")
        print("issues: \(report.issueCount)")
        for line in report.lines { print("  \(line)") }
        if !report.isClean {
            Terminal.note("evidence verify found \(report.issueCount) problem(s)")
            throw ExitCode(ExitCodes.checkFailed)
        }
    }
}

struct EvidenceLimit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "limit",
        abstract: "Show the attachment size limit, or set it (bytes).",
        discussion: """
            The limit is a store setting, journaled when set; \(EvidenceSizeLimit.allowed.lowerBound) to \
            \(EvidenceSizeLimit.allowed.upperBound) bytes, \(EvidenceSizeLimit.defaultBytes) unless set.

            Example:
              lumbung evidence limit
              lumbung evidence limit 4194304
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actor: ActorOption

    @Argument(help: ArgumentHelp("The new limit in bytes.", valueName: "bytes"))
    var bytes: Int?

    func run() throws {
        guard let bytes else {
            print(try storeOptions.open(readOnly: true).evidence.sizeLimit())
            return
        }
        try storeOptions.open().write(actor: actor.actor) { tx in try tx.evidence.setSizeLimit(bytes) }
        print(bytes)
    }
}
