/// What ``EvidenceStore/verify(limit:)`` found.
public struct EvidenceVerification: Sendable {
    /// Distinct digests referenced.
    public var attachments = 0
    public var references = 0
    /// Bytes of the referenced attachments, as their references recorded them.
    public var bytes = 0
    /// The first issues (up to the limit); ``issueCount`` counts them all.
    public var issues: [EvidenceIssue] = []
    public var issueCount = 0

    public var isClean: Bool { issueCount == 0 }

    /// Each issue's line, then how many were left out.
    public var lines: [String] {
        issues.map(\.description) + (issueCount > issues.count ? ["… and \(issueCount - issues.count) more"] : [])
    }
}

extension EvidenceFiles {
    /// Digests read from the reference table per read transaction.
    static let walkStep = 256

    /// Calls `body` for every digest `store`'s reference table holds, in order, reading the
    /// table in short read transactions of ``walkStep`` digests.
    static func forEachReferenced(in store: Store, _ body: (ReferencedDigest) throws -> Void) throws {
        var after: EvidenceDigest?
        while true {
            let step = try store.read { tx in try tx.evidence.digests(after: after, limit: walkStep) }
            for entry in step { try body(entry) }
            guard step.count == walkStep, let last = step.last else { return }
            after = last.digest
        }
    }

    /// Checks the files of every digest `store` (the live store or a snapshot) references.
    func verify(referencesIn store: Store, limit: Int) throws -> EvidenceVerification {
        var report = EvidenceVerification()
        try Self.forEachReferenced(in: store) { entry in
            report.attachments += 1
            report.references += entry.referrerCount
            report.bytes += entry.attachment?.size ?? 0
            if let issue = try problem(entry) {
                report.issueCount += 1
                if report.issues.count < limit { report.issues.append(issue) }
            }
        }
        return report
    }
}
