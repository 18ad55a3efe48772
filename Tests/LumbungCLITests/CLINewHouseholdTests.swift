import Foundation
import Testing
import Lumbung
import LumbungSynthetic

/// `baru` requests through the built binary, killed part-way: a batch of submissions (each
/// storing its household as `usulan`) or a desa's batch of rejections (each removing it) leaves
/// requests and register all as before or all as after, and `check` clean.
@Suite("CLI new-household requests")
struct CLINewHouseholdTests {
    @Test(arguments: ["submit", "reject"])
    func aKilledNewHouseholdBatchLeavesRequestsAndRegisterWhole(action: String) throws {
        _ = try #require(CLITests.binary, "build the lumbung product first (swift build)")
        let listed = 40, proposed = 1_500
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 3)
        for delay in [0.3, 1.0, 3.0] {
            let directory = TemporaryDirectory("lumbung-baru-kill")
            let (store, _, _) = try CLIRequestTests.store(directory, count: listed)
            let admin = RequestActor(actor: "admin", role: .admin)
            let photo = EvidenceReference(try store.evidence.add([0xFF, 0xD8, 0xFF, 0xE0] + Array("rumah".utf8)), kind: .fotoRumah)
            let ktp = EvidenceReference(try store.evidence.add([0xFF, 0xD8, 0xFF, 0xE0] + Array("ktp".utf8)), kind: .ktp)
            let households = (listed..<(listed + proposed)).map { position -> Household in
                var household = generator.household(at: position)
                household.id = nil
                household.updatedAt = nil
                return household
            }
            if action == "submit" {
                let lines = households.map { household in
                    let evidence = [photo, ktp].map { #"{"sha256":"\#($0.hex)","media_type":"image/jpeg","ukuran":\#($0.size),"jenis":"\#($0.kind.name)"}"# }
                    return #"{"jenis":"baru","rumah_tangga":\#(HouseholdJSON.string(household)),"bukti":[\#(evidence.joined(separator: ","))]}"#
                }
                let file = directory.sub("baru.jsonl")
                try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
                try CLITests.runKilled(["request", "submit", file, "--store", directory.sub("store")], after: delay)
            } else {
                try store.write { tx in
                    for household in households {
                        _ = try tx.createRequest(.init(type: .baru, change: .household(household), evidence: [photo, ktp]), by: admin)
                    }
                }
                try CLITests.runKilled(["request", "reject", "--desa", "32.16", "--note", "tidak ditemukan", "--store", directory.sub("store")], after: delay)
            }
            let (requests, count) = try store.read { tx in
                (try tx.requests(RequestQuery(type: .baru), for: admin, limit: 10_000).requests, try tx.householdCount())
            }
            let stored = try store.read { tx in try requests.compactMap(\.householdID).filter { try tx.household(id: $0)?.status == .usulan }.count }
            if action == "submit" {
                // All submitted, each with its `usulan` household, or nothing at all.
                let allDone = requests.count == proposed && requests.allSatisfy { $0.state == .diajukan } && stored == proposed
                #expect(allDone || (requests.isEmpty && count == listed), "killed at \(delay) s: \(requests.count) requests, \(count) households")
                #expect(count == listed + (allDone ? proposed : 0))
            } else {
                // All rejected, their households removed, or all still diajukan with them.
                let allDone = requests.allSatisfy { $0.state == .ditolak && $0.householdID == nil } && count == listed
                let noneDone = requests.allSatisfy { $0.state == .diajukan } && stored == proposed && count == listed + proposed
                #expect(requests.count == proposed && (allDone || noneDone), "killed at \(delay) s: \(Set(requests.map(\.state))), \(count) households")
            }
            #expect(try store.check().isClean)
        }
    }
}
