import Foundation
import Testing
import Lumbung
import LumbungSynthetic

/// `lumbung request` through the built binary: a worked cycle, refusals with their exit codes,
/// and a killed apply or batch approval that leaves requests and register as they were.
@Suite("CLI change requests")
struct CLIRequestTests {
    /// A store of `count` generated households in one desa... of Bekasi, and the desa it uses most.
    static func store(_ directory: TemporaryDirectory, count: Int) throws -> (Store, [Household], KodeWilayah) {
        let store = try Store(path: directory.sub("store"))
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 3)
        var listed: [Household] = []
        try store.bulkLoad { loader in
            for index in 0..<count {
                var household = generator.household(at: index)
                household.status = .ditetapkan
                try loader.add(household)
            }
        }
        listed = try store.read { tx in try (1...count).compactMap { try tx.household(id: HouseholdID(UInt64($0))) } }
        let desa = Dictionary(grouping: listed, by: \.wilayah).max { $0.value.count < $1.value.count }!.key
        return (store, listed, desa)
    }

    @Test func aProposalGoesToTheRegisterThroughTheBinary() throws {
        let directory = TemporaryDirectory("lumbung-request-cli")
        let (store, listed, desa) = try Self.store(directory, count: 40)
        let target = listed.first { $0.wilayah == desa }!
        let path = directory.sub("store")
        let body = #"{"jenis":"keluar","rumah_tangga_id":\#(target.id!),"alasan":"pindah"}"#
        // A desa proposal without a berita acara is refused (exit 3), naming what is missing.
        let desaArgs = ["--as", "desa_operator", "--actor", "desa:1", "--scope", desa.dotted]
        let missing = try CLITests.run(["request", "submit"] + desaArgs, store: path, input: body, in: directory)
        #expect(missing.status == 3 && missing.stderr.contains("workflow.meetingRequired"), "\(missing.stderr)")
        let withMeeting = body.dropLast() + #","berita_acara":{"nomor":"BA-1","tanggal":"2026-11-02"}}"#
        let submitted = try CLITests.run(["request", "submit", "--json"] + desaArgs, store: path, input: String(withMeeting), in: directory)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stdout.contains(#""status":"diajukan""#), "\(submitted.stdout)")
        // A verifikator may not approve (exit 3, workflow.role); the chain goes on.
        let wrong = try CLITests.run(["request", "approve", "1", "--as", "verifikator"], store: path, in: directory)
        #expect(wrong.status == 3 && wrong.stderr.contains("workflow.state"), "\(wrong.stderr)")
        #expect(try CLITests.run(["request", "verify", "--desa", desa.dotted, "--as", "verifikator", "--actor", "v"], store: path, in: directory).status == 0)
        let approverWrong = try CLITests.run(["request", "approve", "1", "--as", "verifikator"], store: path, in: directory)
        #expect(approverWrong.status == 3 && approverWrong.stderr.contains("workflow.role"), "\(approverWrong.stderr)")
        #expect(try CLITests.run(["request", "approve", "--desa", desa.dotted, "--as", "kepala_opd", "--actor", "k"], store: path, in: directory).status == 0)
        let preview = try CLITests.run(["request", "show", "1", "--preview"], store: path, in: directory)
        #expect(preview.stdout.contains("status: ditetapkan → tidak_layak:pindah"), "\(preview.stdout)")
        let other = try CLITests.run(["request", "list"] + ["--as", "desa_operator", "--actor", "x", "--scope", listed.first { $0.wilayah != desa }!.wilayah.dotted],
                                     store: path, in: directory)
        #expect(!other.stdout.contains(desa.dotted), "another desa's operator sees nothing of this desa")
        let applied = try CLITests.run(["request", "apply", "--as", "kepala_opd", "--actor", "k"], store: path, in: directory)
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(try store.read { tx in try tx.household(id: target.id!)?.status } == .tidakLayak(.pindah))
        let status = try CLITests.run(["period", "status", "--json"], store: path, in: directory)
        #expect(status.status == 0 && status.stdout.contains(#""total":0"#), "\(status.stdout)")
        // A direct write cannot set a status.
        var changed = target
        changed.status = .ditetapkan
        let put = try CLITests.run(["put"], store: path, input: HouseholdJSON.string(changed), in: directory)
        #expect(put.status == 3 && put.stderr.contains("household.statusLocked"), "\(put.stderr)")
    }

    /// Approved requests applied (or a desa's batch approved) by a process killed part-way: the
    /// requests and the register are all as before, or all as after.
    @Test(arguments: ["apply", "approve"])
    func aKilledBatchLeavesRequestsAndRegisterWhole(action: String) throws {
        _ = try #require(CLITests.binary, "build the lumbung product first (swift build)")
        let count = 3_000
        for delay in [0.2, 0.8, 3.0] {
            let directory = TemporaryDirectory("lumbung-request-kill")
            let (store, listed, _) = try Self.store(directory, count: count)
            let admin = RequestActor(actor: "admin", role: .admin)
            let ids = try store.write { tx in
                try listed.map { household -> RequestID in
                    let request = try tx.createRequest(.init(type: .keluar, householdID: household.id, change: .notEligible(.mampu)), by: admin)
                    _ = try tx.transition(request.id, .verify, by: admin)
                    return action == "apply" ? try tx.transition(request.id, .approve, by: admin).id : request.id
                }
            }
            try CLITests.runKilled(action == "apply"
                ? ["request", "apply", "--store", directory.sub("store")]
                : ["request", "approve", "--desa", "32.16", "--store", directory.sub("store")], after: delay)
            let (states, statuses) = try store.read { tx in
                (try ids.map { try tx.request(id: $0, for: admin)!.state }, try listed.map { try tx.household(id: $0.id!)!.status })
            }
            let done: RequestState = action == "apply" ? .diterapkan : .disetujui
            let before: RequestState = action == "apply" ? .disetujui : .diverifikasi
            let allDone = states.allSatisfy { $0 == done }, noneDone = states.allSatisfy { $0 == before }
            #expect(allDone || noneDone, "killed at \(delay) s: \(Set(states))")
            if action == "apply" {
                #expect(statuses.allSatisfy { $0 == (allDone ? .tidakLayak(.mampu) : .ditetapkan) }, "the register follows the requests")
            } else {
                #expect(statuses.allSatisfy { $0 == .ditetapkan })
            }
            #expect(try store.check().isClean)
        }
    }
}
