import ArgumentParser
import Foundation
import Lumbung

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one household, found by a member's NIK, its Nomor KK, its source id or its id.",
        discussion: """
            Prints a readable summary (id, Nomor KK, wilayah, address, status, desil with its \
            ranking version, programs and the members), or with --json the household in its JSON \
            form. --desil-history prints the desil each imported ranking gave it instead; --history its \
            entries in the journal, newest first (read through the journal's household index: a \
            read-only store written before it says to open it once for writing). A household that does not \
            exist exits with code 4; a malformed NIK or KK exits with code 3 and the rule it breaks.

            Example:
              lumbung get --nik 3216015608900003
              lumbung get --id 17 --json
              lumbung get --source-id DTKS-3216-000123
              lumbung get --kk 3216010101200001 --desil-history
              lumbung get --id 17 --history
              lumbung get --nik 3216015608900003 --snapshot 2026-10
              lumbung get --latency niks.txt

            --latency FILE looks up every NIK of FILE (one a line) instead, each in its own read \
            transaction as the API does (a NIK that breaks a rule is counted as invalid), and prints how many were found and the latency of one \
            lookup (record decoded) at p50, p90, p99 and the maximum: the figure \
            tools/bench-national.sh reports cold (page cache dropped) and warm. It holds 8 bytes \
            a NIK besides the list.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var snapshotOption: SnapshotOption

    @Option(help: ArgumentHelp("A member's NIK (16 digits).", valueName: "nik"))
    var nik: String?

    @Option(help: ArgumentHelp("The Nomor KK (16 digits).", valueName: "kk"))
    var kk: String?

    @Option(name: .customLong("source-id"), help: ArgumentHelp("The household's id in its source register (id_sumber).", valueName: "id"))
    var sourceID: String?

    @Option(help: ArgumentHelp("The household id.", valueName: "id"))
    var id: HouseholdID?

    @Option(help: ArgumentHelp("Time a lookup of each NIK in this file (one a line) and print the latency percentiles.", valueName: "file"))
    var latency: String?

    @Flag(help: "Print the household as JSON.")
    var json = false

    @Flag(name: .customLong("desil-history"), help: "Print the household's desil by ranking version instead (oldest first).")
    var desilHistory = false

    @Flag(help: "Print the household's history from the journal instead (newest first), read through its index.")
    var history = false

    func validate() throws {
        let given = [nik != nil, kk != nil, sourceID != nil, id != nil, latency != nil].filter { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --nik, --kk, --source-id, --id or --latency") }
        if history && (json || desilHistory) { throw ValidationError("--history prints a table; give it without --json and --desil-history") }
    }

    func run() throws {
        if let latency { return try measureLatency(of: latency) }
        // Parse before opening, so a bad value is reported as such.
        let nikValue = try nik.map { try NIK($0) }
        let kkValue = try kk.map { try NomorKK($0) }
        let sourceIDValue = try sourceID.map { try SourceID($0, field: "source-id") }
        let (household, history) = try snapshotOption.withStore(storeOptions) { store in
            try store.read { tx -> (Household?, [DesilHistoryEntry]) in
                let household: Household?
                if let nikValue {
                    household = try tx.household(nik: nikValue)
                } else if let kkValue {
                    household = try tx.household(kk: kkValue)
                } else if let sourceIDValue {
                    household = try tx.household(sourceID: sourceIDValue)
                } else {
                    household = try tx.household(id: id!)
                }
                return (household, try household?.id.map { try tx.desilHistory(id: $0) } ?? [])
            }
        }
        guard let household else {
            let what = nikValue.map { "NIK \($0.masked)" } ?? kkValue.map { "Nomor KK \($0.masked)" }
                ?? sourceIDValue.map { "source id \($0.text)" } ?? "id \(id!)"
            throw CLIError.notFound("no household with \(what)")
        }
        if self.history {
            let changes = try snapshotOption.withStore(storeOptions) { store in
                try store.read { tx in try tx.changes(household: household.id!, order: .newestFirst, limit: .max) }
            }
            print(Self.journal(changes), terminator: "")
        } else if desilHistory {
            print(Self.history(history, json: json), terminator: "")
        } else if json {
            Terminal.write(HouseholdJSON.encode(household, pretty: true) + [0x0A])
        } else {
            print(Self.summary(household), terminator: "")
        }
    }

    /// The desil history as a table, or a JSON array of `{"desil_versi", "desil"}`.
    static func history(_ entries: [DesilHistoryEntry], json: Bool) -> String {
        if json {
            return JSONValue.array(entries.map { .object([(DesilVersion.field, .string($0.version.description)), ("desil", .int($0.desil))]) }).text + "\n"
        }
        var table = TextTable(columns: ["DESIL VERSI", "DESIL"], rightAligned: [1])
        for entry in entries { table.add([entry.version.description, String(entry.desil)]) }
        return table.rendered()
    }

    /// A household's journal entries as a table, in the order given.
    static func journal(_ entries: [JournalEntry]) -> String {
        var table = TextTable(columns: ["SEQ", "WAKTU", "AKSI", "PELAKU", "WILAYAH", "CATATAN"], rightAligned: [0])
        for entry in entries {
            table.add([
                String(entry.sequence), Timestamp(entry.time).text(.seconds), entry.action.description, entry.actor,
                entry.wilayah.map(\.dotted).joined(separator: " → "), entry.note,
            ])
        }
        return table.rendered()
    }

    /// `padan`, `tidak_padan: REASON`, or `belum_dipadankan`.
    static func dukcapil(_ member: Member) -> String {
        guard let result = member.dukcapil else { return DukcapilResult.pendingName }
        guard let reason = result.reason else { return result.status.name }
        return result.status.name + ": " + reason
    }

    static func summary(_ household: Household) -> String {
        let wilayah = household.wilayah
        var place = [wilayah.name, wilayah.ancestor(at: .kecamatan)?.name.map { "Kec. \($0)" }, wilayah.ancestor(at: .kabupaten)?.name]
            .compactMap { $0 }.joined(separator: ", ")
        if !place.isEmpty { place = "  " + place }
        var address = household.alamat
        if let rt = household.rt { address += String(format: "  RT %03d", rt) }
        if let rw = household.rw { address += String(format: " RW %03d", rw) }

        var fields = TextTable(columns: ["", ""])
        fields.add(["Household", household.id.map(\.description) ?? "-"])
        fields.add(["Nomor KK", household.nomorKK.text])
        if let sourceID = household.sourceID { fields.add(["ID sumber", sourceID.text]) }
        fields.add(["Wilayah", wilayah.dotted + place])
        fields.add(["Alamat", address])
        fields.add(["Status", household.status.description])
        fields.add(["Desil", household.desilLabel])
        fields.add(["Program", household.programs.isEmpty ? "-" : household.programs.sorted().map(\.name).joined(separator: ", ")])
        if let updated = household.updatedAt {
            fields.add(["Diperbarui", Timestamp(updated).text(.seconds)])
        }
        var out = fields.rendered(header: false)
        out += "\nAnggota (\(household.members.count))\n"
        var members = TextTable(columns: ["NIK", "NAMA", "JK", "LAHIR", "HUBUNGAN", "STATUS NIK", "DUKCAPIL"])
        for member in household.members {
            members.add([
                member.nik.text ?? "-", member.name, member.sex.letter,
                member.birthDate?.description ?? "-", member.relation.name, member.nikStatus.description,
                Self.dukcapil(member),
            ])
        }
        out += members.rendered()
        return out
    }

    /// Looks up each NIK of `file`, each in its own read transaction, and prints the latencies.
    private func measureLatency(of file: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var niks: [NIK] = []
        var invalid = 0
        for line in text.split(separator: "\n") where !line.isEmpty {
            // As `match` does, a NIK that breaks a rule is counted as invalid, not looked up.
            if let nik = try? NIK(line) { niks.append(nik) } else { invalid += 1 }
        }
        var nanoseconds: [UInt64] = []
        nanoseconds.reserveCapacity(niks.count)
        var found = 0
        try snapshotOption.withStore(storeOptions) { store in
            for nik in niks {
                let start = DispatchTime.now().uptimeNanoseconds
                let household = try store.read { tx in try tx.household(nik: nik) }
                nanoseconds.append(DispatchTime.now().uptimeNanoseconds - start)
                if household != nil { found += 1 }
            }
        }
        print(Self.latencySummary(nanoseconds, found: found) + (invalid > 0 ? ", invalid \(invalid) (not looked up)" : ""))
    }

    /// `lookups N, found F, p50 12.3 µs, p90 …, p99 …, max …` (nearest-rank percentiles).
    static func latencySummary(_ nanoseconds: [UInt64], found: Int) -> String {
        let sorted = nanoseconds.sorted()
        func micro(_ value: UInt64) -> String { String(format: "%.1f µs", Double(value) / 1_000) }
        func rank(_ percent: Int) -> String {
            sorted.isEmpty ? "-" : micro(sorted[max(0, (sorted.count * percent + 99) / 100 - 1)])
        }
        return "lookups \(sorted.count), found \(found), p50 \(rank(50)), p90 \(rank(90)), p99 \(rank(99)), max \(sorted.last.map(micro) ?? "-")"
    }
}
