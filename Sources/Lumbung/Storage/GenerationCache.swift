import CLMDB

/// Structures derived from the indexes (a desa's member tallies, a desa's household ids), kept
/// for one store generation, so searches that ask again about the same desa (a kecamatan's
/// households with a child under 6, or sorted by KK, request after request) read them instead
/// of deriving them again from the index entries.
///
/// A generation is the LMDB transaction id a read transaction sees (``ReadTransaction/generation``):
/// every commit, by any process, makes a new one, and an entry is only used by a read of its own
/// generation, so it is never used with other data than it was derived from. Write transactions
/// see their own uncommitted changes: they neither read nor fill it. Memory is bounded: past
/// `limit` (in the entries' own `size` units) the cache starts afresh, and a newer
/// generation drops every older entry.
///
/// ```swift
/// if let generation = tx.generation, let known = cache.value(for: desa, generation: generation) { … }
/// cache.keep(derived, size: derived.count, for: desa, generation: generation)
/// ```
final class GenerationCache<Key: Hashable, Value>: @unchecked Sendable {
    let limit: Int

    private struct State {
        var generation = -1
        var entries: [Key: Value] = [:]
        var size = 0
    }

    private let state = Locked(State())

    init(limit: Int) { self.limit = limit }

    /// The value kept for `key` in `generation`, if any.
    func value(for key: Key, generation: Int) -> Value? {
        state.withLock { $0.generation == generation ? $0.entries[key] : nil }
    }

    /// Keeps `value` (of `size` units) for `key` in `generation`. A read of an older generation
    /// than the cache holds keeps nothing.
    func keep(_ value: Value, size: Int, for key: Key, generation: Int) {
        guard size <= limit else { return }
        state.withLock { state in
            guard generation >= state.generation else { return }
            if generation > state.generation || state.size + size > limit {
                state = State()
                state.generation = generation
            }
            if state.entries.updateValue(value, forKey: key) == nil { state.size += size }
        }
    }

    /// Replaces the value kept for `key` in `generation` by one derived further from it (of
    /// the same size in `size` units), if it is still kept; else keeps nothing. Unlike
    /// ``keep(_:size:for:generation:)`` it never starts the cache afresh.
    func replace(_ value: Value, for key: Key, generation: Int) {
        state.withLock { state in
            guard state.generation == generation, state.entries[key] != nil else { return }
            state.entries[key] = value
        }
    }
}

extension ReadTransaction {
    /// The store generation this transaction reads (``GenerationCache``); nil in a write
    /// transaction, whose view changes as it writes.
    var generation: Int? {
        self is WriteTransaction ? nil : Int(mdb_txn_id(txn.handle))
    }
}
