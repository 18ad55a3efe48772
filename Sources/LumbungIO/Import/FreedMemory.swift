#if canImport(Glibc)
    import Glibc
#endif

/// Hands memory the process freed back to the system.
///
/// glibc keeps freed small blocks inside its heap, so freeing millions of them (the file-wide
/// checks' tables) lowers no resident size until `malloc_trim` returns their whole pages.
/// `malloc.h` is not in Swift's Glibc module, so the function is found by name.
enum FreedMemory {
    static func returnToSystem() {
        #if canImport(Glibc)
            typealias Trim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }
}
