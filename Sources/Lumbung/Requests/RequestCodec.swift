import Foundation

/// The stored form of a ``ChangeRequest``: version, type, state, channel, proposer, household,
/// desa, period, base time, meeting, change, evidence, transitions. Households inside a change
/// use ``RecordCodec`` (uncompressed); a lone member travels as a one-member household of the
/// request's desa, so its NIK is stored as compactly as in a record.
enum RequestCodec {
    static let version: UInt8 = 1

    static func encode(_ request: ChangeRequest) -> [UInt8] {
        var writer = ByteWriter(capacity: 256)
        writer.byte(version)
        writer.byte(request.type.rawValue)
        writer.byte(request.state.rawValue)
        writer.byte(request.channel.rawValue)
        writer.string(request.proposer)
        writer.string(request.proposerRole.rawValue)
        writer.varint(request.householdID?.rawValue ?? 0)
        writer.varint(request.desa.packed)
        writer.varint(UInt64(request.period?.packed ?? 0))
        writer.zigzag(request.baseTime?.milliseconds ?? Int64.min)
        switch request.meeting {
        case nil: writer.byte(0)
        case .beritaAcara(let number, let date)?: writer.byte(1); writer.string(number); writer.varint(date.daysSinceEpoch + 100_000)
        case .sptjm(let number, let date)?: writer.byte(2); writer.string(number); writer.varint(date.daysSinceEpoch + 100_000)
        }
        encode(request.change, desa: request.desa, priorReason: request.priorReason, into: &writer)
        writer.varint(request.evidence.count)
        for item in request.evidence {
            writer.bytes.append(contentsOf: item.sha256)
            writer.string(item.mediaType)
            writer.varint(item.size)
            writer.byte(item.kind.rawValue)
        }
        writer.varint(request.transitions.count)
        for step in request.transitions {
            writer.byte(step.action.rawValue)
            writer.byte(step.state.rawValue)
            writer.string(step.actor)
            writer.string(step.role.rawValue)
            writer.zigzag(step.time.milliseconds)
            writer.string(step.note)
        }
        return writer.bytes
    }

    private static func encode(_ change: RequestChange, desa: KodeWilayah, priorReason: TidakLayakReason?, into writer: inout ByteWriter) {
        func household(_ household: Household) {
            var inner = ByteWriter()
            RecordCodec.encode(household, into: &inner)
            writer.varint(inner.bytes.count)
            writer.bytes.append(contentsOf: inner.bytes)
        }
        switch change {
        case .household(let value): writer.byte(1); writer.varint(value.id?.rawValue ?? 0); household(value)
        case .addMember(let member):
            writer.byte(2)
            household(Household(nomorKK: NomorKK(unchecked: 0), wilayah: desa, alamat: "", members: [member]))
        case .removeMember(let nik, let reason): writer.byte(3); writer.varint(nik.rawValue); writer.byte(reason.rawValue)
        case .moveMember(let nik, let to): writer.byte(4); writer.varint(nik.rawValue); writer.varint(to.rawValue)
        case .changeHead(let nik): writer.byte(5); writer.varint(nik.rawValue)
        case .split(let niks, let kk):
            writer.byte(6)
            writer.varint(kk.rawValue)
            writer.varint(niks.count)
            niks.forEach { writer.varint($0.rawValue) }
        case .merge(let absorbed): writer.byte(7); writer.varint(absorbed.rawValue)
        case .notEligible(let reason): writer.byte(8); writer.byte(reason.rawValue)
        case .reProposal:
            // 9: none yet; 11: with the household's reason before the proposal's steps showed on it.
            if let priorReason { writer.byte(11); writer.byte(priorReason.rawValue) } else { writer.byte(9) }
        case .correctIdentity(let from, let to, let kk):
            writer.byte(10)
            writer.varint(from?.rawValue ?? 0)
            writer.varint(to?.rawValue ?? 0)
            writer.varint(kk?.rawValue ?? 0)
        }
    }

    static func decode(_ buffer: UnsafeRawBufferPointer, id: RequestID) throws -> ChangeRequest {
        var reader = ByteReader(buffer)
        guard try reader.byte() == version else { throw ByteReader.corrupt("request version") }
        guard let type = RequestType(rawValue: try reader.byte()),
              let state = RequestState(rawValue: try reader.byte()),
              let channel = RequestChannel(rawValue: try reader.byte()) else { throw ByteReader.corrupt("request type") }
        let proposer = try reader.string()
        guard let proposerRole = AccessRole(rawValue: try reader.string()) else { throw ByteReader.corrupt("request role") }
        let household = try reader.varint()
        let desa = try reader.varint()
        let periodPacked = try reader.varint()
        let base = try reader.zigzag()
        var meeting: MeetingReference?
        switch try reader.byte() {
        case 0: break
        case let tag where tag <= 2:
            let number = try reader.string()
            let date = CalendarDate(daysSinceEpoch: try reader.int() - 100_000)
            meeting = tag == 1 ? .beritaAcara(number: number, date: date) : .sptjm(number: number, date: date)
        default: throw ByteReader.corrupt("request meeting")
        }
        let desaCode = KodeWilayah(unchecked: desa, level: .desa)
        let (change, priorReason) = try decodeChange(&reader, buffer: buffer)
        let evidenceCount = try reader.int()
        guard evidenceCount <= 1_000 else { throw ByteReader.corrupt("request evidence") }
        var evidence: [EvidenceReference] = []
        for _ in 0..<evidenceCount {
            guard reader.offset + 32 <= buffer.count else { throw ByteReader.corrupt("request evidence") }
            let digest = Array(buffer[reader.offset..<reader.offset + 32])
            reader.offset += 32
            let mediaType = try reader.string()
            let size = try reader.varint()
            guard let kind = EvidenceKind(rawValue: try reader.byte()) else { throw ByteReader.corrupt("request evidence kind") }
            evidence.append(try EvidenceReference(sha256: digest, mediaType: mediaType, size: size, kind: kind))
        }
        let transitionCount = try reader.int()
        guard transitionCount <= 10_000 else { throw ByteReader.corrupt("request transitions") }
        var transitions: [RequestTransition] = []
        for _ in 0..<transitionCount {
            guard let action = RequestAction(rawValue: try reader.byte()), let to = RequestState(rawValue: try reader.byte()) else {
                throw ByteReader.corrupt("request transition")
            }
            let actor = try reader.string()
            guard let role = AccessRole(rawValue: try reader.string()) else { throw ByteReader.corrupt("request transition role") }
            let time = Timestamp(milliseconds: try reader.zigzag())
            transitions.append(RequestTransition(action: action, state: to, actor: actor, role: role, time: time, note: try reader.string()))
        }
        return ChangeRequest(
            id: id, type: type, state: state, channel: channel, proposer: proposer, proposerRole: proposerRole,
            householdID: household == 0 ? nil : HouseholdID(rawValue: household), desa: desaCode, change: change,
            meeting: meeting, evidence: evidence, transitions: transitions,
            period: periodPacked == 0 ? nil : Period(packed: UInt32(truncatingIfNeeded: periodPacked)),
            baseTime: base == Int64.min ? nil : Timestamp(milliseconds: base), priorReason: priorReason)
    }

    private static func decodeChange(_ reader: inout ByteReader, buffer: UnsafeRawBufferPointer) throws -> (RequestChange, TidakLayakReason?) {
        if reader.offset < buffer.count, buffer[reader.offset] == 11 {
            reader.offset += 1
            guard let reason = TidakLayakReason(rawValue: try reader.byte()) else { throw ByteReader.corrupt("request prior reason") }
            return (.reProposal, reason)
        }
        return (try decodeChangeCase(&reader, buffer: buffer), nil)
    }

    private static func decodeChangeCase(_ reader: inout ByteReader, buffer: UnsafeRawBufferPointer) throws -> RequestChange {
        func household(id: HouseholdID?) throws -> Household {
            let length = try reader.int()
            guard length <= buffer.count - reader.offset else { throw ByteReader.corrupt("request household") }
            let slice = UnsafeRawBufferPointer(rebasing: buffer[reader.offset..<reader.offset + length])
            reader.offset += length
            return try RecordCodec.decode(slice, id: id)
        }
        func nik() throws -> NIK { NIK(unchecked: try reader.varint()) }
        switch try reader.byte() {
        case 1:
            let id = try reader.varint()
            return .household(try household(id: id == 0 ? nil : HouseholdID(rawValue: id)))
        case 2:
            guard let member = try household(id: nil).members.first else { throw ByteReader.corrupt("request member") }
            return .addMember(member)
        case 3:
            let nik = try nik()
            guard let reason = MemberLeaving(rawValue: try reader.byte()) else { throw ByteReader.corrupt("request reason") }
            return .removeMember(nik: nik, reason: reason)
        case 4: return .moveMember(nik: try nik(), to: HouseholdID(rawValue: try reader.varint()))
        case 5: return .changeHead(nik: try nik())
        case 6:
            let kk = NomorKK(unchecked: try reader.varint())
            let count = try reader.int()
            guard count <= 1_000 else { throw ByteReader.corrupt("request split") }
            return .split(niks: try (0..<count).map { _ in try nik() }, nomorKK: kk)
        case 7: return .merge(absorbed: HouseholdID(rawValue: try reader.varint()))
        case 8:
            guard let reason = TidakLayakReason(rawValue: try reader.byte()) else { throw ByteReader.corrupt("request reason") }
            return .notEligible(reason)
        case 9: return .reProposal
        case 10:
            let from = try reader.varint(), to = try reader.varint(), kk = try reader.varint()
            return .correctIdentity(from: from == 0 ? nil : NIK(unchecked: from), to: to == 0 ? nil : NIK(unchecked: to),
                                    nomorKK: kk == 0 ? nil : NomorKK(unchecked: kk))
        default: throw ByteReader.corrupt("request change")
        }
    }
}
