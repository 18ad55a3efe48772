// lumbung-probe: a worker process for the multi-process tests.
//
//   lumbung-probe write STORE SECONDS SEED   insert synthetic households in small transactions
//   lumbung-probe read STORE SECONDS         check, in each read transaction, that counters,
//                                            indexes and records agree
//
// Prints one result line on stdout; exits 1 on any inconsistency or error.
import Foundation
import Lumbung
import LumbungSynthetic

let arguments = CommandLine.arguments
guard arguments.count >= 4, let seconds = Double(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: lumbung-probe write|read STORE SECONDS [SEED]\n".utf8))
    exit(2)
}
let deadline = Date().addingTimeInterval(seconds)

do {
    let store = try Store(path: arguments[2], options: arguments[1] == "read" ? .readOnly : Store.Options())
    switch arguments[1] {
    case "write":
        let seed = UInt64(arguments.count > 4 ? arguments[4] : "7") ?? 7
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.75"), seed: seed)
        var written = 0
        while Date() < deadline {
            try store.write(actor: "probe") { tx in
                for offset in 0..<10 { try tx.put(generator.household(at: written + offset)) }
            }
            written += 10
        }
        print("written \(written)")
    case "read":
        var rounds = 0
        var largest = 0
        while Date() < deadline {
            try store.read { tx in
                let total = try tx.householdCount()
                let counts = try tx.counts()
                guard counts.total.households == total else {
                    throw ProbeFailure("counter says \(counts.total.households), records \(total)")
                }
                let byStatus = counts.byStatus.values.reduce(0) { $0 + $1.households }
                guard byStatus == total else { throw ProbeFailure("status counters sum to \(byStatus), records \(total)") }
                let ids = try tx.ids(matching: HouseholdQuery())
                guard ids.count == total else { throw ProbeFailure("wilayah index has \(ids.count), records \(total)") }
                if let id = ids.randomElement(), let household = try tx.household(id: id) {
                    for nik in household.validNIKs {
                        guard try tx.householdID(nik: nik) == id else { throw ProbeFailure("NIK index disagrees for household \(id)") }
                    }
                }
                largest = max(largest, total)
            }
            rounds += 1
        }
        print("read \(rounds) rounds, up to \(largest) households")
    case "lookup":
        let text = try String(contentsOfFile: arguments[4], encoding: .utf8)
        let niks = text.split(separator: "\n").prefix(Int(arguments[3])!).compactMap { try? NIK($0) }
        let start = Date()
        var found = 0
        try store.read { tx in
            for nik in niks where try tx.household(nik: nik) != nil { found += 1 }
        }
        print("\(Date().timeIntervalSince(start) / Double(niks.count) * 1e9) ns per lookup, \(found) found")
    case "load":
        let count = Int(arguments[3])!
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 1)
        let households = Array(generator.households(count: count))
        let start = Date()
        try store.bulkLoad { loader in for household in households { try loader.add(household) } }
        print("loaded \(count) in \(Date().timeIntervalSince(start)) s")
    default:
        throw ProbeFailure("unknown mode \(arguments[1])")
    }
} catch {
    print("fail \(error)")
    exit(1)
}

struct ProbeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
