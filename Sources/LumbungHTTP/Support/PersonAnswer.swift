import Lumbung
import NIOCore

/// The answer to `GET /v1/persons/{nik}`, built the same way by the route and the fast path.
enum PersonAnswer {
    /// `{"household": {…}, "anggota": {…}}`: the member's bytes are copied from the
    /// household's, straight from the JSON writer into the network buffer (this is the hottest
    /// answer).
    static func body(_ household: Household, member index: Int) -> ByteBuffer {
        HouseholdJSON.withEncoded(household) { json, members in
            let member = UnsafeBufferPointer(rebasing: json[members[index]])
            var buffer = ByteBufferAllocator().buffer(capacity: json.count + member.count + 26)
            buffer.writeStaticString(#"{"household":"#)
            buffer.writeBytes(json)
            buffer.writeStaticString(#","anggota":"#)
            buffer.writeBytes(member)
            buffer.writeInteger(UInt8(ascii: "}"))
            return buffer
        }
    }
}
