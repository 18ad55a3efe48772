import Foundation
import Lumbung

/// One column of a published table: its name, its PostgreSQL type, and how its COPY text value
/// is written from a row. The tables' DDL and their COPY rows both derive from the one list of
/// these (``PublishSchema/householdColumns``, ``PublishSchema/memberColumns``).
///
/// ```swift
/// PublishedColumn<Household>("nomor_kk", "text NOT NULL") { household, copy in copy.text(household.nomorKK.text) }
/// ```
public struct PublishedColumn<Row>: Sendable {
    public let name: String
    /// The PostgreSQL type with its constraint (`text NOT NULL`, `jsonb NOT NULL`, `date`).
    public let type: String
    /// Appends this column's value of `row` (escaped, or `\N` for NULL).
    let write: @Sendable (Row, inout CopyText) -> Void

    init(_ name: String, _ type: String, write: @escaping @Sendable (Row, inout CopyText) -> Void) {
        self.name = name
        self.type = type
        self.write = write
    }

    /// The type without `NOT NULL`: how a column is added to a parent table that already holds
    /// rows published before it existed.
    var nullableType: String {
        type.replacingOccurrences(of: " NOT NULL", with: "")
    }
}

/// A published table: its name and its columns, in order.
public struct PublishedTable<Row>: Sendable {
    public let name: String
    public let columns: [PublishedColumn<Row>]
}

/// A `lumbung_member` row: the member, its household's id and its place in the household.
public struct MemberRow: Sendable {
    public let householdID: HouseholdID?
    /// The member's place in the household, 0 first.
    public let urutan: Int
    public let member: Member
}

/// What a published table has one row per: the rows a household gives.
public protocol PublishedRow: Sendable {
    /// Calls `body` with each row of `household`, in order.
    static func rows(of household: Household, _ body: (Self) -> Void)
    /// About how many COPY bytes one household's rows take (a buffer's first capacity).
    static var bytesPerHousehold: Int { get }
}

extension Household: PublishedRow {
    public static func rows(of household: Household, _ body: (Household) -> Void) { body(household) }
    public static var bytesPerHousehold: Int { 512 }
}

extension MemberRow: PublishedRow {
    public static func rows(of household: Household, _ body: (MemberRow) -> Void) {
        for (urutan, member) in household.members.enumerated() {
            body(MemberRow(householdID: household.id, urutan: urutan, member: member))
        }
    }
    public static var bytesPerHousehold: Int { 1_024 }
}
