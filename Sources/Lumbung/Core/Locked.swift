import Foundation

/// A value guarded by a lock: the one lock type of every Lumbung module.
///
/// Not `Mutex`: state that holds C pointers (LMDB transactions, zstd contexts) cannot be sent
/// out of a `Mutex`'s closure, and one type serves all.
///
/// ```swift
/// let pool = Locked<[OpaquePointer]>([])
/// let reused = pool.withLock { $0.popLast() }
/// ```
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline var value: Value
    @usableFromInline let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    @inlinable
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
