import Foundation

/// The JSON of change requests, shared by the CLI (`lumbung request … --json`, `request submit
/// FILE`) and HTTP: reading a submission, writing a request as its viewer may see it.
///
/// A submission names its type and household, and the change in flat keys:
///
/// ```json
/// {"jenis": "keluar", "rumah_tangga_id": 42, "alasan": "pindah",
///  "berita_acara": {"nomor": "BA-07/2026", "tanggal": "2026-11-02"},
///  "bukti": [{"sha256": "9f86…", "media_type": "image/jpeg", "ukuran": 182034, "jenis": "foto_rumah"}]}
/// ```
public enum RequestJSON {
    /// The keys a submission may hold (``keys(for:)`` says which a type reads).
    static let submissionKeys = [
        "jenis", "rumah_tangga_id", "nomor_kk", "rumah_tangga", "anggota", "nik", "nik_baru", "nomor_kk_baru",
        "alasan", "tujuan", "gabung", "berita_acara", "sptjm", "bukti", "catatan",
    ]

    /// Reads one submission (a JSON object).
    ///
    /// - Throws: `json.malformed` for bad JSON; `workflow.invalid` naming the key, the (masked)
    ///   value and the rule for a key the type does not take or a value it refuses.
    public static func draft(_ bytes: some Collection<UInt8>) throws -> ChangeRequest.Draft {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(bytes: buffer)
            let document = try parser.parseDocument()
            guard case .object(let entries) = document else {
                throw LumbungError(.jsonMalformed, value: document.kindName, rule: "a request is a JSON object {…}, not \(document.kindName)")
            }
            return try draft(entries)
        }
    }

    static func draft(_ entries: [(key: String, value: JSONTree)]) throws -> ChangeRequest.Draft {
        let fields = try Fields(entries, path: "", code: .workflowInvalid, allowed: submissionKeys, noun: "request")
        let type = try RequestType(parsing: try fields.requiredString("jenis"))
        func nik(_ key: String) throws -> NIK {
            let text = try fields.requiredString(key)
            do { return try NIK(text) } catch var error as LumbungError { error.field = key; throw error }
        }
        func kk(_ key: String) throws -> NomorKK? {
            guard let text = try fields.string(key) else { return nil }
            do { return try NomorKK(text) } catch var error as LumbungError { error.field = key; throw error }
        }
        func id(_ key: String) throws -> HouseholdID? {
            guard let raw = try fields.integer(key) else { return nil }
            let id = HouseholdID(rawValue: UInt64(max(0, raw)))
            guard raw > 0, id.isStorable else { throw LumbungError(.workflowInvalid, field: key, value: String(raw), rule: HouseholdID.rule) }
            return id
        }
        func reason() throws -> TidakLayakReason {
            let text = try fields.requiredString("alasan")
            guard let reason = TidakLayakReason(name: text) else {
                throw LumbungError(.workflowInvalid, field: "alasan", value: text,
                                   rule: "a reason is one of " + TidakLayakReason.allCases.map(\.name).joined(separator: ", "))
            }
            return reason
        }
        let used = keys(for: type)
        for entry in entries where !used.contains(entry.key) && !commonKeys.contains(entry.key) {
            throw LumbungError(.workflowInvalid, field: entry.key, rule: "a \(type) request takes " + (commonKeys + used).joined(separator: ", "))
        }
        let change: RequestChange
        switch type {
        case .baru, .ubah:
            guard let household = try fields.object("rumah_tangga") else { throw fields.missing("rumah_tangga") }
            do {
                change = .household(try HouseholdReader.household(household))
            } catch let error as LumbungError {
                throw error.prefixed(by: "rumah_tangga")
            }
        case .tambahAnggota:
            guard let member = try fields.object("anggota") else { throw fields.missing("anggota") }
            change = .addMember(try HouseholdReader.member(member, path: "anggota"))
        case .hapusAnggota:
            change = .removeMember(nik: try nik("nik"), reason: try MemberLeaving(parsing: try fields.requiredString("alasan"), field: "alasan", code: .workflowInvalid))
        case .pindahAnggota:
            guard let to = try id("tujuan") else { throw fields.missing("tujuan") }
            change = .moveMember(nik: try nik("nik"), to: to)
        case .gantiKepala:
            change = .changeHead(nik: try nik("nik"))
        case .pecah:
            guard let list = try fields.array("nik"), !list.isEmpty else { throw fields.missing("nik") }
            let niks = try list.enumerated().map { index, value -> NIK in
                guard case .string(let text) = value else { throw fields.wrongType("nik[\(index)]", value, expected: "a NIK string") }
                do { return try NIK(text) } catch var error as LumbungError { error.field = "nik[\(index)]"; throw error }
            }
            guard let newKK = try kk("nomor_kk_baru") else { throw fields.missing("nomor_kk_baru") }
            change = .split(niks: niks, nomorKK: newKK)
        case .gabung:
            guard let absorbed = try id("gabung") else { throw fields.missing("gabung") }
            change = .merge(absorbed: absorbed)
        case .keluar, .sanggah:
            change = .notEligible(try reason())
        case .usulUlang:
            change = .reProposal
        case .koreksiIdentitas:
            let from = fields.value("nik") == nil ? nil : try nik("nik")
            let to = fields.value("nik_baru") == nil ? nil : try nik("nik_baru")
            change = .correctIdentity(from: from, to: to, nomorKK: try kk("nomor_kk_baru"))
        }
        var meeting: MeetingReference?
        for key in ["berita_acara", "sptjm"] {
            guard let object = try fields.object(key) else { continue }
            let inner = try Fields(object, path: key, code: .workflowInvalid, allowed: ["nomor", "tanggal"], noun: key)
            let number = try inner.requiredString("nomor")
            let dateText = try inner.requiredString("tanggal")
            let date: CalendarDate
            do { date = try CalendarDate(parsing: dateText) } catch var error as LumbungError { error.field = "\(key).tanggal"; throw error }
            guard meeting == nil else { throw LumbungError(.workflowInvalid, field: key, rule: "give berita_acara or sptjm, not both") }
            meeting = key == "sptjm" ? .sptjm(number: number, date: date) : .beritaAcara(number: number, date: date)
        }
        var evidence: [EvidenceReference] = []
        for (index, value) in (try fields.array("bukti") ?? []).enumerated() {
            guard case .object(let object) = value else { throw fields.wrongType("bukti[\(index)]", value, expected: "an object") }
            evidence.append(try reference(object, path: "bukti[\(index)]"))
        }
        return ChangeRequest.Draft(
            type: type, householdID: try id("rumah_tangga_id"), householdKK: try kk("nomor_kk"), change: change,
            meeting: meeting, evidence: evidence, note: try fields.string("catatan") ?? "")
    }

    /// One evidence reference: `{"sha256", "media_type", "ukuran", "jenis"}`.
    static func reference(_ object: [(key: String, value: JSONTree)], path: String) throws -> EvidenceReference {
        let fields = try Fields(object, path: path, code: .workflowInvalid, allowed: ["sha256", "media_type", "ukuran", "jenis"], noun: "evidence")
        do {
            let size = try fields.integer("ukuran") ?? 0
            return try EvidenceReference(
                sha256: try EvidenceReference.digest(hex: try fields.requiredString("sha256")),
                mediaType: try fields.requiredString("media_type"), size: UInt64(max(0, size)),
                kind: try EvidenceKind(parsing: try fields.requiredString("jenis"), field: "\(path).jenis"))
        } catch let error as LumbungError where error.field?.hasPrefix(path) == false {
            throw error.prefixed(by: path)
        }
    }

    static let commonKeys = ["jenis", "rumah_tangga_id", "nomor_kk", "berita_acara", "sptjm", "bukti", "catatan"]

    /// The change's keys a type reads, beside ``commonKeys``.
    static func keys(for type: RequestType) -> [String] {
        switch type {
        case .baru, .ubah: ["rumah_tangga"]
        case .tambahAnggota: ["anggota"]
        case .hapusAnggota: ["nik", "alasan"]
        case .pindahAnggota: ["nik", "tujuan"]
        case .gantiKepala: ["nik"]
        case .pecah: ["nik", "nomor_kk_baru"]
        case .gabung: ["gabung"]
        case .keluar, .sanggah: ["alasan"]
        case .usulUlang: []
        case .koreksiIdentitas: ["nik", "nik_baru", "nomor_kk_baru"]
        }
    }

    // MARK: Writing

    /// A request as `viewer` may see it. A citizen sees its own request's type, state, change,
    /// evidence and the steps' actions and times, never a household id, desa or official's name.
    ///
    /// With `preview` (``ReadTransaction/preview(_:for:)``), it adds `sesudah` (the households as
    /// they would be after the apply; null for one it deletes) and `diff` (one line a change).
    public static func value(_ request: ChangeRequest, for viewer: RequestActor, preview: RequestPreview? = nil) -> JSONValue {
        let official = viewer.role != .citizen
        var entries: [(String, JSONValue)] = [
            ("id", .int(Int(request.id.rawValue))),
            ("jenis", .string(request.type.name)),
            ("status", .string(request.state.name)),
            ("kanal", .string(request.channel.name)),
        ]
        if official {
            entries.append(("pengusul", .string(request.proposer)))
            entries.append(("peran_pengusul", .string(request.proposerRole.rawValue)))
            entries.append(("rumah_tangga_id", request.householdID.map { .int(Int($0.rawValue)) } ?? .null))
            entries.append(("kode_wilayah", .string(request.desa.dotted)))
        }
        entries.append(("periode", .optional(request.period?.description)))
        entries.append(("perubahan", change(request.change, official: official)))
        if let meeting = request.meeting {
            entries.append((meeting.kindName, .object([("nomor", .string(meeting.number)), ("tanggal", .string(meeting.date.description))])))
        }
        entries.append(("bukti", .array(request.evidence.map { item in
            .object([("sha256", .string(item.hex)), ("media_type", .string(item.mediaType)),
                     ("ukuran", .int(Int(item.size))), ("jenis", .string(item.kind.name))])
        })))
        entries.append(("riwayat", .array(request.transitions.map { step in
            var fields: [(String, JSONValue)] = [("aksi", .string(step.action.name)), ("status", .string(step.state.name)), ("waktu", .time(step.time))]
            if official || step.actor == viewer.actor {
                fields.append(("aktor", .string(step.actor)))
                fields.append(("peran", .string(step.role.rawValue)))
                fields.append(("catatan", .string(step.note)))
            }
            return .object(fields)
        })))
        if let preview {
            entries.append(("sesudah", .array(preview.after.map { $0.map { .raw(HouseholdJSON.encode($0)) } ?? .null })))
            entries.append(("diff", .array(preview.diff.map { .string($0) })))
        }
        return .object(entries)
    }

    static func change(_ change: RequestChange, official: Bool) -> JSONValue {
        switch change {
        case .household(let household):
            return official ? .raw(HouseholdJSON.encode(household)) : .object([("nomor_kk", .string(household.nomorKK.masked))])
        case .addMember(let member):
            var bytes: [UInt8] = []
            HouseholdJSON.encode(member: member, into: &bytes)
            return official ? .object([("anggota", .raw(bytes))]) : .object([("anggota", .string(member.nik.masked))])
        case .removeMember(let nik, let reason): return .object([("nik", .string(nik.masked)), ("alasan", .string(reason.name))])
        case .moveMember(let nik, let to): return .object([("nik", .string(nik.masked)), ("tujuan", official ? .int(Int(to.rawValue)) : .null)])
        case .changeHead(let nik): return .object([("nik", .string(nik.masked))])
        case .split(let niks, let kk): return .object([("nik", .array(niks.map { .string($0.masked) })), ("nomor_kk_baru", .string(kk.masked))])
        case .merge(let absorbed): return .object([("gabung", official ? .int(Int(absorbed.rawValue)) : .null)])
        case .notEligible(let reason): return .object([("alasan", .string(reason.name))])
        case .reProposal: return .object([])
        case .correctIdentity(let from, let to, let kk):
            return .object([("nik", .optional(from?.masked)), ("nik_baru", .optional(to?.masked)), ("nomor_kk_baru", .optional(kk?.masked))])
        }
    }
}
