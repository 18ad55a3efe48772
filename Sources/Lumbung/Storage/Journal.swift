import Crypto
import Foundation

/// One entry of the append-only journal: what changed, when, by whom.
public struct JournalEntry: Hashable, Sendable {
    public enum Action: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case insert = 1
        case update = 2
        case delete = 3
        /// A member moved out of or into this household.
        case moveMember = 4
        /// A store-level event, such as a replaced snapshot or a restore (household id 0).
        case event = 5

        public var description: String {
            switch self {
            case .insert: "insert"
            case .update: "update"
            case .delete: "delete"
            case .moveMember: "move_member"
            case .event: "event"
            }
        }
    }

    /// Strictly increasing, starting at 1.
    public let sequence: UInt64
    public let time: Date
    public let actor: String
    public let action: Action
    public let householdID: HouseholdID
    /// SHA-256 of the new record's canonical encoding, truncated to 128 bits; empty for a delete.
    public let digest: [UInt8]
    /// Free text for events (such as the reason for a replaced snapshot).
    public let note: String

    public init(sequence: UInt64, time: Date, actor: String, action: Action, householdID: HouseholdID, digest: [UInt8], note: String = "") {
        self.sequence = sequence
        self.time = time
        self.actor = actor
        self.action = action
        self.householdID = householdID
        self.digest = digest
        self.note = note
    }

    /// The digest in lowercase hex.
    public var digestHex: String { digest.map { String(format: "%02x", $0) }.joined() }

    static let digestLength = 16

    static func digest(of payload: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: payload).prefix(digestLength))
    }

    func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 48)
        writer.varint(UInt64(max(0, RecordCodec.milliseconds(time))))
        writer.byte(action.rawValue)
        writer.varint(householdID.rawValue)
        writer.string(actor)
        writer.byte(UInt8(digest.count))
        writer.bytes.append(contentsOf: digest)
        if !note.isEmpty { writer.string(note) }
        return writer.bytes
    }

    static func decode(sequence: UInt64, _ buffer: UnsafeRawBufferPointer) throws -> JournalEntry {
        var reader = ByteReader(buffer)
        let time = RecordCodec.date(milliseconds: Int64(try reader.varint()))
        guard let action = Action(rawValue: try reader.byte()) else { throw ByteReader.corrupt("journal action") }
        let id = HouseholdID(rawValue: try reader.varint())
        let actor = try reader.string()
        let length = Int(try reader.byte())
        guard reader.offset + length <= buffer.count else { throw ByteReader.corrupt("journal digest") }
        let digest = Array(buffer[reader.offset..<reader.offset + length])
        reader.offset += length
        let note = reader.isAtEnd ? "" : try reader.string()
        return JournalEntry(sequence: sequence, time: time, actor: actor, action: action, householdID: id, digest: digest, note: note)
    }
}
