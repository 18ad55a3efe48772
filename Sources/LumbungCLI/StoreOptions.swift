import ArgumentParser
import Foundation
import Lumbung

/// Where the store is: `--store PATH`, else `$LUMBUNG_STORE`, else `./lumbung-data`.
///
/// An empty `--store` or an empty `$LUMBUNG_STORE` (set, but to nothing) is a usage error, never
/// a fall-back to the default: a script with an unset variable must not write elsewhere.
struct StoreOptions: ParsableArguments {
    static let defaultPath = "./lumbung-data"
    static let environmentVariable = "LUMBUNG_STORE"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store directory (default: $LUMBUNG_STORE, else ./lumbung-data; neither may be empty).",
            valueName: "path"))
    var store: String?

    /// The path the options resolve to.
    var path: String {
        store ?? Self.fromEnvironment ?? Self.defaultPath
    }

    private static var fromEnvironment: String? { ProcessInfo.processInfo.environment[environmentVariable] }

    /// Refuses an empty path, naming where it came from (exit 2).
    func validate() throws {
        let source = store != nil ? "--store" : Self.fromEnvironment != nil ? "$\(Self.environmentVariable)" : nil
        guard let source else { return }
        do {
            try Store.checkPath(path)
        } catch let error as LumbungError {
            throw ValidationError("\(source) '\(path)': \(error.rule)")
        }
    }

    /// Opens an existing store (reading or writing), or creates one when `create` is set.
    func open(create: Bool = false, readOnly: Bool = false) throws -> Store {
        var options = Store.Options()
        options.create = create
        if readOnly {
            options = .readOnly
        }
        return try Store(path: path, options: options)
    }
}

/// The writer named in the journal.
struct ActorOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Who the journal names for this write.", valueName: "name"))
    var actor: String = "lumbung-cli"
}

extension HouseholdID: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}

extension Relation: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.name) }
}

/// The NIK status a `find` filters on.
enum NIKStatusChoice: String, ExpressibleByArgument, CaseIterable {
    case valid, invalid, missing

    var kind: NIKStatus.Kind {
        switch self {
        case .valid: .valid
        case .invalid: .invalid
        case .missing: .missing
        }
    }
}

/// Parses a kode wilayah argument; a bad code is invalid input (exit 3).
func parseWilayah(_ text: String?) throws -> KodeWilayah? {
    try text.map { try KodeWilayah($0) }
}

/// `--snapshot PERIOD`: read a snapshot of the store instead of the live store.
struct SnapshotOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Read the snapshot of this period (YYYY-MM, or an auto-… name) instead of the live store; a snapshot whose data.mdb no longer matches its manifest is refused (exit 5).",
            valueName: "period"))
    var snapshot: String?

    /// Runs `body` with the live store (read-only) or the named snapshot.
    func withStore<R>(_ storeOptions: StoreOptions, _ body: (Store) throws -> R) throws -> R {
        guard let snapshot else { return try body(try storeOptions.open(readOnly: true)) }
        let name = try SnapshotName(snapshot)
        return try Snapshots(storePath: storeOptions.path).open(name, body)
    }
}
