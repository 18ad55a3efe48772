import Foundation
import Lumbung

/// A household as a DCI Social Registry `Group` record, its members as `Member`s (inside the
/// group, or on their own for `response_entity` `Member`).
///
/// The KK number is the group identifier (`identifier_type` `KK`), the store id a second one
/// (`LUMBUNG_ID`), the source register's id a third when the household has one (`SOURCE_ID`,
/// the type an `idtype-value` search takes); NIKs (a placeholder is none) are member identifiers (`NIK`); the desil is the `poverty_score`
/// (`poverty_score_type` `desil`); the kode wilayah, status, programs and each member's
/// relation to the head come as `additional_attributes`.
///
/// Records are written straight to bytes by the one ``JSONWriter`` (a page of 50 households
/// as a `JSONValue` tree cost more than the search that found them):
///
/// ```swift
/// let regRecords = DCIGroup.records(page.items)   // JSONValue.raw: [{"@type":"spdci:Group",…},…]
/// ```
enum DCIGroup {
    /// Households as a JSON array of `Group` records.
    static func records(_ households: some Collection<Household>) -> JSONValue {
        // About 1 KiB a member, so a page is written without growing the buffer.
        var region = RegionText()
        return array(households, members: households.reduce(0) { $0 + 1 + $1.members.count }) { write($0, into: &$1, region: &region) }
    }

    /// Members answered on their own, as a JSON array of `Member` records.
    static func records(_ items: some Collection<HouseholdMember>) -> JSONValue {
        array(items, members: items.count) { write($0, into: &$1) }
    }

    /// `[record, …]` as one raw value, the buffer sized for `members` records of about 1 KiB.
    private static func array<Item>(_ items: some Collection<Item>, members: Int, _ record: (Item, inout JSONWriter) -> Void) -> JSONValue {
        var writer = JSONWriter(pretty: false, capacity: 1024 + 1024 * members)
        writer.beginArray()
        for item in items {
            writer.element()
            record(item, &writer)
        }
        writer.endArray()
        return .raw(writer.bytes)
    }

    /// One household's `Group` record.
    static func write(_ household: Household, into writer: inout JSONWriter) {
        var region = RegionText()
        write(household, into: &writer, region: &region)
    }

    /// One household's `Group` record, its region's text from `region` (a page's households
    /// mostly share one desa, so its names are looked up once a page).
    static func write(_ household: Household, into writer: inout JSONWriter, region: inout RegionText) {
        region.load(household.wilayah)
        writer.beginObject()
        writer.key("@type")
        writer.quoted("spdci:Group")
        writer.key("group_identifier")
        writer.beginArray()
        identifier("KK", into: &writer) { $0.identity(household.nomorKK) }
        identifier("LUMBUNG_ID", into: &writer) { storeID(household, into: &$0) }
        if let sourceID = household.sourceID { identifier("SOURCE_ID", into: &writer) { $0.string(sourceID.text) } }
        writer.endArray()
        writer.key("group_type")
        writer.quoted("household")
        writer.key("place")
        writer.beginObject()
        writer.key("@type")
        writer.quoted("Place")
        writer.key("address")
        address(household, region: region, into: &writer)
        writer.endObject()
        writer.key("poverty_score")
        if let desil = household.desil { writer.integer(Int64(desil)) } else { writer.null() }
        writer.key("poverty_score_type")
        writer.quoted("desil")
        writer.key("group_size")
        writer.integer(Int64(household.members.count))
        if let head = household.head {
            writer.key("group_head_info")
            member(head, into: &writer)
        }
        writer.key("member_list")
        writer.beginArray()
        // By index: a loop variable would copy (retain and release) each member.
        for index in household.members.indices {
            writer.element()
            member(household.members[index], into: &writer)
        }
        writer.endArray()
        if let updated = household.updatedAt {
            writer.key("last_updated")
            writer.timestamp(Timestamp(updated), .seconds)
        }
        writer.key("additional_attributes")
        writer.beginArray()
        attribute("kode_wilayah", region.dotted, into: &writer)
        attribute("status", household.status.description, into: &writer)
        writer.element()
        writer.beginObject()
        writer.key("program")
        writer.beginArray()
        for program in household.programs.sorted() {
            writer.element()
            writer.string(program.name)
        }
        writer.endArray()
        writer.endObject()
        // The ranking the poverty_score (desil) came from, when it came from one.
        if let version = household.desilVersion {
            writer.element()
            writer.beginObject()
            writer.key(escaping: DesilVersion.field)
            writer.string(version.description)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
    }

    /// A member answered on its own (`response_entity` `Member`): the household it belongs to
    /// comes as `additional_attributes` (`nomor_kk`, `lumbung_id`, `kode_wilayah`).
    static func write(_ item: HouseholdMember, into writer: inout JSONWriter) {
        member(item.member, into: &writer) { writer in
            let household = item.household
            attribute("nomor_kk", into: &writer) { $0.identity(household.nomorKK) }
            attribute("lumbung_id", into: &writer) { storeID(household, into: &$0) }
            attribute("kode_wilayah", household.wilayah.dotted, into: &writer)
        }
    }

    /// A `Member` record; `group` adds the household's attributes after the relation.
    static func member(_ member: Member, into writer: inout JSONWriter, group: (inout JSONWriter) -> Void = { _ in }) {
        writer.beginObject()
        writer.key("@type")
        writer.quoted("Member")
        writer.key("member_identifier")
        identifiers(member.nik, into: &writer)
        writer.key("demographic_info")
        writer.beginObject()
        writer.key("@type")
        writer.quoted("SRPerson")
        writer.key("identifier")
        identifiers(member.nik, into: &writer)
        writer.key("name")
        writer.beginObject()
        writer.key("@type")
        writer.quoted("Name")
        writer.key("given_name")
        writer.string(member.name)
        writer.endObject()
        writer.key("sex")
        writer.ascii(member.sex == .male ? "male" : "female", quoted: true)
        if let birth = member.birthDate {
            writer.key("birth_date")
            writer.calendarDate(birth)
        }
        writer.endObject()
        writer.key("is_disabled")
        writer.bool(member.disability != nil)
        if let marital = member.maritalStatus {
            writer.key("marital_status")
            writer.string(marital.name)
        }
        writer.key("additional_attributes")
        writer.beginArray()
        attribute("hubungan", member.relation.name, into: &writer)
        group(&writer)
        writer.endArray()
        writer.endObject()
    }

    /// `[]`, or `[{"@type":"Identifier","identifier_type":"NIK","identifier_value":…}]`: an
    /// invalid NIK as written; a placeholder has text but is no identifier, a missing one neither.
    private static func identifiers(_ nik: MemberNIK, into writer: inout JSONWriter) {
        writer.beginArray()
        switch nik {
        case .valid(let number): identifier("NIK", into: &writer) { $0.identity(number) }
        case .invalid(let text, _): identifier("NIK", into: &writer) { $0.string(text) }
        case .missing, .placeholder: break
        }
        writer.endArray()
    }

    /// One `Identifier` object, as an array element; `value` writes its `identifier_value`.
    private static func identifier(_ type: StaticString, into writer: inout JSONWriter, value: (inout JSONWriter) -> Void) {
        writer.element()
        writer.beginObject()
        writer.key("@type")
        writer.quoted("Identifier")
        writer.key("identifier_type")
        writer.quoted(type)
        writer.key("identifier_value")
        value(&writer)
        writer.endObject()
    }

    /// `{"name": "value"}`, as an array element.
    private static func attribute(_ name: StaticString, _ value: String, into writer: inout JSONWriter) {
        attribute(name, into: &writer) { $0.string(value) }
    }

    /// `{"name": …}`, as an array element; `value` writes the value.
    private static func attribute(_ name: StaticString, into writer: inout JSONWriter, value: (inout JSONWriter) -> Void) {
        writer.element()
        writer.beginObject()
        writer.key(name)
        value(&writer)
        writer.endObject()
    }

    /// The store id as a JSON string of its digits (`""` for a household not stored yet).
    private static func storeID(_ household: Household, into writer: inout JSONWriter) {
        writer.beginString()
        if let id = household.id { writer.unsigned(id.rawValue) }
        writer.endString()
    }

    /// The address as one JSON string: the alamat, `RT 3`, `RW 7` and the names of the wilayah
    /// from the desa up to the provinsi, the non-empty ones joined by ", ", written in place
    /// (building the string first took a fifth of a record's time).
    static func address(_ household: Household, region: RegionText, into writer: inout JSONWriter) {
        writer.beginString()
        var empty = true
        func separate() {
            if !empty { writer.stringPart(", ") }
            empty = false
        }
        if !household.alamat.isEmpty {
            separate()
            writer.stringPart(household.alamat)
        }
        if let rt = household.rt {
            separate()
            writer.stringPart("RT ")
            writer.stringPart(rt)
        }
        if let rw = household.rw {
            separate()
            writer.stringPart("RW ")
            writer.stringPart(rw)
        }
        if !region.names.isEmpty {
            separate()
            region.names.withUnsafeBufferPointer { writer.stringPart(utf8: $0) }
        }
        writer.endString()
    }

    /// A wilayah's text as a record writes it: its dotted code, and the names from it up to
    /// the provinsi, the non-empty ones joined by ", ". Kept for the last wilayah loaded.
    struct RegionText {
        private(set) var wilayah: KodeWilayah?
        private(set) var dotted = ""
        private(set) var names: [UInt8] = []

        mutating func load(_ code: KodeWilayah) {
            guard code != wilayah else { return }
            wilayah = code
            dotted = code.dotted
            names.removeAll(keepingCapacity: true)
            var region: KodeWilayah? = code
            while let current = region {
                WilayahTable.shared.withName(of: current) { name in
                    guard !name.isEmpty else { return }
                    if !names.isEmpty { names.append(contentsOf: ", ".utf8) }
                    names.append(contentsOf: name)
                }
                region = current.level == .provinsi ? nil : current.parent
            }
        }
    }
}
