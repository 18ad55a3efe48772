import Foundation

/// The compact, versioned binary form of a household (before compression).
///
/// Layout v2 (written): version byte, flags, desil, desil version, time, KK, desa code — the
/// *plain head*, which the envelope keeps outside the zstd frame so a ranking rewrites a desil
/// without recompressing (``plainHeadLength(_:)``) — then address, RT/RW, status, programs,
/// attributes, source id (flag bit 5), members. Layout v1 (still read): version byte, flags, KK,
/// desa code, address, RT/RW, status, desil, programs, time, attributes, source id, desil version,
/// members. New fields come behind new flag bits, so every older record still decodes as it was.
/// A member's NIK usually repeats the household's kecamatan and the member's birth date and sex,
/// so it is stored as only what differs.
enum RecordCodec {
    static let version: UInt8 = 2
    /// The first layout, read but no longer written.
    static let version1: UInt8 = 1

    // Household flags.
    private static let hasRT: UInt64 = 1 << 0
    private static let hasRW: UInt64 = 1 << 1
    private static let hasDesil: UInt64 = 1 << 2
    private static let hasTime: UInt64 = 1 << 3
    private static let kkLocal: UInt64 = 1 << 4
    private static let hasSourceID: UInt64 = 1 << 5
    /// The desil's ranking version (days), after the source id, before the member count.
    private static let hasDesilVersion: UInt64 = 1 << 6

    // Member flags: bits 0-2 NIK form.
    private static let nikMissing: UInt64 = 0
    private static let nikFull: UInt64 = 1
    private static let nikLocal: UInt64 = 2
    private static let nikSerialOnly: UInt64 = 3
    private static let nikInvalid: UInt64 = 4
    /// `999999999999999` and a reason digit: the byte after the flags is the digit.
    private static let nikPlaceholder: UInt64 = 5
    private static let hasBirthDate: UInt64 = 1 << 3
    private static let hasMarital: UInt64 = 1 << 4
    private static let hasEducation: UInt64 = 1 << 5
    private static let hasOccupation: UInt64 = 1 << 6
    private static let hasDisability: UInt64 = 1 << 7
    /// A Dukcapil result: status byte and reason, after every other member field.
    private static let hasDukcapil: UInt64 = 1 << 8

    private static let tenDigits: UInt64 = 10_000_000_000

    static func encode(_ household: Household, into writer: inout ByteWriter) {
        let region = household.wilayah.packed / 10_000  // PPKKCC
        var flags: UInt64 = 0
        if household.rt != nil { flags |= hasRT }
        if household.rw != nil { flags |= hasRW }
        if household.desil != nil { flags |= hasDesil }
        if household.updatedAt != nil { flags |= hasTime }
        if household.desilVersion != nil { flags |= hasDesilVersion }
        let kk = household.nomorKK.rawValue
        if kk / tenDigits == region { flags |= kkLocal }
        if household.sourceID != nil { flags |= hasSourceID }

        writePlainHead(
            PlainHead(
                flags: flags, desil: household.desil.map(UInt8.init), desilVersion: household.desilVersion,
                updatedMilliseconds: household.updatedAt.map { max(0, milliseconds($0)) }, nomorKK: kk, desa: household.wilayah.packed),
            into: &writer)
        writer.string(household.alamat)
        if let rt = household.rt { writer.varint(rt) }
        if let rw = household.rw { writer.varint(rw) }
        writer.byte(household.status.code)
        writer.varint(UInt64(Program.mask(household.programs)))
        encode(household.attributes, into: &writer)
        if let sourceID = household.sourceID { writer.string(sourceID.text) }
        writer.varint(household.members.count)
        // By index: a loop variable would copy (retain and release) each member.
        for index in household.members.indices { encode(household.members[index], region: region, into: &writer) }
    }

    private static func encode(_ member: Member, region: UInt64, into writer: inout ByteWriter) {
        var flags: UInt64
        var nikValue: UInt64 = 0
        switch member.nik {
        case .missing:
            flags = nikMissing
        case .invalid:
            flags = nikInvalid
        case .placeholder:
            flags = nikPlaceholder
        case .valid(let nik):
            let raw = nik.rawValue
            if raw / tenDigits != region {
                flags = nikFull
                nikValue = raw
            } else if let birth = member.birthDate, expectedDateDigits(birth, member.sex) == (raw / 10_000) % 1_000_000 {
                flags = nikSerialOnly
                nikValue = raw % 10_000
            } else {
                flags = nikLocal
                nikValue = raw % tenDigits
            }
        }
        if member.birthDate != nil { flags |= hasBirthDate }
        if member.maritalStatus != nil { flags |= hasMarital }
        if member.education != nil { flags |= hasEducation }
        if member.occupation != nil { flags |= hasOccupation }
        if member.disability != nil { flags |= hasDisability }
        if member.dukcapil != nil { flags |= hasDukcapil }

        writer.varint(flags)
        if case .invalid(let raw, let reason) = member.nik {
            writer.string(raw)
            writer.string(reason.rawValue)
        } else if case .placeholder(let reason) = member.nik {
            writer.byte(reason.rawValue)
        } else if flags & 7 != nikMissing {
            writer.varint(nikValue)
        }
        writer.string(member.name)
        writer.byte(member.sex.rawValue << 4 | member.relation.rawValue)
        writer.byte(member.presence.rawValue)
        if let birth = member.birthDate { writer.varint(birth.ordinal) }
        if let marital = member.maritalStatus { writer.byte(marital.rawValue) }
        if let education = member.education { writer.byte(education.rawValue) }
        if let occupation = member.occupation { writer.string(occupation) }
        if let disability = member.disability { writer.byte(disability.rawValue) }
        encode(member.attributes, into: &writer)
        if let result = member.dukcapil {
            writer.byte(result.status.rawValue)
            writer.string(result.reason ?? "")
        }
    }

    /// Attribute codes of the DTKS questionnaire that records write as one byte instead of text.
    /// Append-only: a code's position is part of record format 1.
    static let knownAttributeCodes: [String] = [
        "lantai", "dinding", "atap", "sumber_air", "penerangan", "bahan_bakar", "jamban",
        "luas_lantai", "jumlah_kamar", "status_bangunan", "aset_motor", "aset_kulkas", "aset_tv",
        "aset_lahan", "aset_hp", "aset_mobil", "aset_emas", "aset_ternak", "aset_ac", "aset_laptop",
        "sumber_air_minum", "daya_listrik", "pembuangan_tinja", "kepemilikan_rumah", "luas_lahan",
        "penghasilan", "ijazah", "partisipasi_sekolah", "kelas", "jaminan_kesehatan", "kehamilan",
        "penyakit_kronis", "tempat_buang_air", "sumber_penerangan", "bahan_bakar_memasak",
    ]
    private static let knownAttributeIndex = CodeTable(knownAttributeCodes)

    static func isKnownAttributeCode(_ code: String) -> Bool { knownAttributeIndex.index(of: code) != nil }

    /// Each attribute: a tag (known-code index + 1, or 0 then the code as text) shifted left by
    /// two, with the value type in the low bits; then the value.
    private static func encode(_ attributes: Attributes, into writer: inout ByteWriter) {
        writer.varint(attributes.count)
        for (code, value) in attributes {
            let known = knownAttributeIndex.index(of: code).map { UInt64($0 + 1) } ?? 0
            let type: UInt64
            switch value {
            case .code: type = 0
            case .number: type = 1
            case .text: type = 2
            }
            writer.varint(known << 2 | type)
            if known == 0 { writer.string(code) }
            switch value {
            case .code(let number): writer.zigzag(number)
            case .number(let number): writer.double(number)
            case .text(let text): writer.string(text)
            }
        }
    }

    /// DDMMYY as the NIK writes it for this birth date and sex.
    @inline(__always)
    static func expectedDateDigits(_ date: CalendarDate, _ sex: Sex) -> UInt64 {
        let day = UInt64(date.day + (sex == .female ? 40 : 0))
        return day * 10_000 + UInt64(date.month) * 100 + UInt64(date.year % 100)
    }

    static func milliseconds(_ date: Date) -> Int64 { Timestamp(date).milliseconds }

    static func date(milliseconds: Int64) -> Date { Timestamp(milliseconds: milliseconds).date }

    // MARK: Decoding

    /// What opens every record: its flags, desil, desil version, update time, KK and desa. In
    /// layout v2 these are the plain head, in this order; in v1 the desil, time and version lie
    /// further in (``readHead(_:)`` finds them).
    struct PlainHead: Equatable {
        var flags: UInt64
        var desil: UInt8?
        var desilVersion: DesilVersion?
        var updatedMilliseconds: Int64?
        var nomorKK: UInt64
        var desa: UInt64

        /// The head with another desil, version and time (a ranking's change).
        func ranked(desil: Int, version: DesilVersion, milliseconds: Int64) -> PlainHead {
            var head = self
            head.flags |= hasDesil | hasDesilVersion | hasTime
            head.desil = UInt8(desil)
            head.desilVersion = version
            head.updatedMilliseconds = milliseconds
            return head
        }
    }

    private static func writePlainHead(_ head: PlainHead, into writer: inout ByteWriter) {
        writer.byte(version)
        writer.varint(head.flags)
        if let desil = head.desil { writer.byte(desil) }
        if let version = head.desilVersion { writer.varint(version.ordinal) }
        if let time = head.updatedMilliseconds { writer.varint(UInt64(time)) }
        writer.varint(head.flags & kkLocal != 0 ? head.nomorKK % tenDigits : head.nomorKK)
        writer.varint(head.desa)
    }

    /// The encoded plain head (layout v2).
    static func plainHeadBytes(_ head: PlainHead) -> [UInt8] {
        var writer = ByteWriter(capacity: 32)
        writePlainHead(head, into: &writer)
        return writer.bytes
    }

    /// The length of a payload's plain head: 0 for layout v1, whose head is not kept plain.
    static func plainHeadLength(_ payload: UnsafeRawBufferPointer) throws -> Int {
        guard payload.first == version else { return 0 }
        var reader = ByteReader(payload)
        _ = try readHead(&reader)
        return reader.offset
    }

    /// The plain head of a v2 payload (or of its plain part alone).
    static func plainHead(_ buffer: UnsafeRawBufferPointer) throws -> PlainHead {
        var reader = ByteReader(buffer)
        return try readHead(&reader)
    }

    /// The KK number and update time (milliseconds) from the head of a record, without decoding
    /// the rest: what a search sorted by them needs of every match.
    static func sortFields(_ buffer: UnsafeRawBufferPointer) throws -> (nomorKK: UInt64, updatedMilliseconds: Int64?) {
        let head = try plainHead(buffer)
        return (head.nomorKK, head.updatedMilliseconds)
    }

    /// The KK number and desa code from the head of a record, without decoding the rest.
    static func identity(_ buffer: UnsafeRawBufferPointer) throws -> (nomorKK: UInt64, desa: UInt64) {
        let head = try plainHead(buffer)
        return (head.nomorKK, head.desa)
    }

    /// The desa code and desil version of a record (a snapshot manifest counts households by
    /// version).
    static func desilVersion(_ buffer: UnsafeRawBufferPointer) throws -> (desa: UInt64, version: DesilVersion?) {
        let head = try plainHead(buffer)
        return (head.desa, head.desilVersion)
    }

    /// Reads a record's head. For v2 the reader stops after the plain head; for v1 it stops after
    /// the desa code, and the desil, time and version are found by skipping ahead on a copy.
    private static func readHead(_ reader: inout ByteReader) throws -> PlainHead {
        let version = try reader.byte()
        let flags = try reader.varint()
        if version == Self.version {
            let desil = flags & hasDesil != 0 ? try reader.byte() : nil
            let desilVersion = flags & hasDesilVersion != 0 ? DesilVersion(ordinal: try reader.int()) : nil
            let time = flags & hasTime != 0 ? Int64(try reader.varint()) : nil
            let kkStored = try reader.varint()
            let desa = try reader.varint()
            return PlainHead(
                flags: flags, desil: desil, desilVersion: desilVersion, updatedMilliseconds: time,
                nomorKK: flags & kkLocal != 0 ? desa / 10_000 * tenDigits + kkStored : kkStored, desa: desa)
        }
        guard version == version1 else { throw ByteReader.corrupt("version") }
        let kkStored = try reader.varint()
        let desa = try reader.varint()
        var head = PlainHead(
            flags: flags, nomorKK: flags & kkLocal != 0 ? desa / 10_000 * tenDigits + kkStored : kkStored, desa: desa)
        guard flags & (hasDesil | hasTime | hasDesilVersion) != 0 else { return head }
        var ahead = reader
        let scalars = try readScalars(&ahead, version: version1, flags: flags, address: false)
        head.desil = scalars.desil1
        head.updatedMilliseconds = scalars.time1
        guard flags & hasDesilVersion != 0 else { return head }
        _ = try decodeAttributes(&ahead)
        if flags & hasSourceID != 0 { try ahead.skipString() }
        head.desilVersion = DesilVersion(ordinal: try ahead.int())
        return head
    }

    /// Reads the address (or skips it), RT/RW, status and programs that follow the head, and in
    /// layout v1 the desil and time among them (`desil1`, `time1`; v2 keeps them in the head).
    private static func readScalars(_ reader: inout ByteReader, version: UInt8, flags: UInt64, address: Bool) throws
        -> (alamat: String, rt: Int?, rw: Int?, status: HouseholdStatus, programs: Set<Program>, desil1: UInt8?, time1: Int64?)
    {
        var alamat = ""
        if address { alamat = try reader.string() } else { try reader.skipString() }
        let rt = flags & hasRT != 0 ? try reader.int() : nil
        let rw = flags & hasRW != 0 ? try reader.int() : nil
        guard let status = HouseholdStatus(code: try reader.byte()) else { throw ByteReader.corrupt("status") }
        let desil = version == version1 && flags & hasDesil != 0 ? try reader.byte() : nil
        let programs = Program.set(mask: UInt32(truncatingIfNeeded: try reader.varint()))
        let time = version == version1 && flags & hasTime != 0 ? Int64(try reader.varint()) : nil
        return (alamat, rt, rw, status, programs, desil, time)
    }

    /// A household's id, KK, wilayah, status, desil and programs from the head of its record,
    /// without decoding the members: what a match answers.
    static func outline(_ buffer: UnsafeRawBufferPointer, id: HouseholdID) throws -> HouseholdOutline {
        var reader = ByteReader(buffer)
        let head = try readHead(&reader)
        guard head.desa < tenDigits else { throw ByteReader.corrupt("kode_wilayah") }
        let scalars = try readScalars(&reader, version: buffer[0], flags: head.flags, address: false)
        return HouseholdOutline(
            id: id, nomorKK: NomorKK(unchecked: head.nomorKK), wilayah: KodeWilayah(unchecked: head.desa, level: .desa),
            status: scalars.status, desil: head.desil.map(Int.init), programs: scalars.programs)
    }

    static func decode(_ buffer: UnsafeRawBufferPointer, id: HouseholdID?) throws -> Household {
        var reader = ByteReader(buffer)
        let version = buffer.first ?? 0
        guard version == Self.version || version == version1 else {
            throw LumbungError(
                .recordVersion, field: "record", value: String(version),
                rule: "this Lumbung reads record versions \(version1) and \(Self.version); upgrade to read newer records", householdID: id)
        }
        let head = try readHead(&reader)
        let flags = head.flags, desa = head.desa
        guard desa < tenDigits else { throw ByteReader.corrupt("kode_wilayah") }
        let region = desa / 10_000
        let scalars = try readScalars(&reader, version: version, flags: flags, address: true)
        let attributes = try decodeAttributes(&reader)
        let sourceID = flags & hasSourceID != 0 ? SourceID(unchecked: try reader.string()) : nil
        if version == version1, flags & hasDesilVersion != 0 { _ = try reader.varint() }
        let count = try reader.int()
        guard count <= Household.maxMembers * 4 else { throw ByteReader.corrupt("anggota") }
        var members: [Member] = []
        members.reserveCapacity(count)
        for _ in 0..<count { members.append(try decodeMember(&reader, region: region)) }
        guard reader.isAtEnd else { throw ByteReader.corrupt("trailing bytes") }
        return Household(
            id: id, nomorKK: NomorKK(unchecked: head.nomorKK), wilayah: KodeWilayah(unchecked: desa, level: .desa),
            alamat: scalars.alamat, rt: scalars.rt, rw: scalars.rw, status: scalars.status, desil: head.desil.map(Int.init),
            desilVersion: head.desilVersion, programs: scalars.programs, attributes: attributes, members: members,
            updatedAt: head.updatedMilliseconds.map { date(milliseconds: $0) }, sourceID: sourceID)
    }

    private static func decodeMember(_ reader: inout ByteReader, region: UInt64) throws -> Member {
        let flags = try reader.varint()
        var invalid: (String, String)?
        var nikValue: UInt64 = 0
        var placeholder: NIKPlaceholder?
        switch flags & 7 {
        case nikMissing: break
        case nikInvalid: invalid = (try reader.string(), try reader.string())
        case nikPlaceholder:
            guard let reason = NIKPlaceholder(rawValue: try reader.byte()) else { throw ByteReader.corrupt("nik placeholder") }
            placeholder = reason
        case nikFull, nikLocal, nikSerialOnly: nikValue = try reader.varint()
        default: throw ByteReader.corrupt("nik form")
        }
        let name = try reader.string()
        let packed = try reader.byte()
        guard let sex = Sex(rawValue: packed >> 4), let relation = Relation(rawValue: packed & 0x0F),
            let presence = Presence(rawValue: try reader.byte())
        else { throw ByteReader.corrupt("anggota") }
        let birth = flags & hasBirthDate != 0 ? CalendarDate(ordinal: try reader.int()) : nil
        let marital = flags & hasMarital != 0 ? MaritalStatus(rawValue: try reader.byte()) : nil
        let education = flags & hasEducation != 0 ? Education(rawValue: try reader.byte()) : nil
        let occupation = flags & hasOccupation != 0 ? try reader.string() : nil
        let disability = flags & hasDisability != 0 ? Disability(rawValue: try reader.byte()) : nil
        let attributes = try decodeAttributes(&reader)
        var dukcapil: DukcapilResult?
        if flags & hasDukcapil != 0 {
            guard let status = DukcapilStatus(rawValue: try reader.byte()) else { throw ByteReader.corrupt("status_dukcapil") }
            let reason = try reader.string()
            dukcapil = DukcapilResult(status: status, reason: reason.isEmpty ? nil : reason)
        }

        let nik: MemberNIK
        switch flags & 7 {
        case nikMissing: nik = .missing
        case nikPlaceholder: nik = .placeholder(placeholder!)
        case nikInvalid: nik = .invalid(invalid!.0, reason: LumbungError.Code(storedNIKProblem: invalid!.1))
        case nikFull: nik = .valid(NIK(unchecked: nikValue))
        case nikLocal: nik = .valid(NIK(unchecked: region * tenDigits + nikValue))
        default:
            guard let birth else { throw ByteReader.corrupt("nik") }
            let date = expectedDateDigits(birth, sex)
            nik = .valid(NIK(unchecked: region * tenDigits + date * 10_000 + nikValue))
        }
        return Member(
            nik: nik, name: name, sex: sex, birthDate: birth, relation: relation, presence: presence,
            maritalStatus: marital, education: education, occupation: occupation, disability: disability,
            attributes: attributes, dukcapil: dukcapil)
    }

    private static func decodeAttributes(_ reader: inout ByteReader) throws -> Attributes {
        let count = try reader.int()
        if count == 0 { return Attributes() }
        guard count <= 4096 else { throw ByteReader.corrupt("atribut") }
        var entries: [Attributes.Element] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let tag = try reader.varint()
            let known = Int(tag >> 2)
            let code: String
            if known == 0 {
                code = try reader.string()
            } else {
                guard known <= knownAttributeCodes.count else { throw ByteReader.corrupt("atribut") }
                code = knownAttributeCodes[known - 1]
            }
            let value: AttributeValue
            switch tag & 3 {
            case 0: value = .code(try reader.zigzag())
            case 1: value = .number(try reader.double())
            case 2: value = .text(try reader.string())
            default: throw ByteReader.corrupt("atribut")
            }
            entries.append((code, value))
        }
        return Attributes(sortedEntries: entries)
    }
}
