#if canImport(Glibc)
    import Glibc
#endif

/// Hands memory the process freed back to the system.
///
/// An allocator keeps freed small blocks for reuse, so freeing millions of them (the file-wide
/// checks' tables) lowers no resident size until it returns their pages. The CLI's malloc is
/// jemalloc (Package.swift), which purges its arenas on `mallctl("arena.<all>.purge")`; with
/// glibc's malloc (the tests, an embedding process) `malloc_trim` does it. Both are found by
/// name: neither header is in Swift's Glibc module, and only one allocator is linked.
enum FreedMemory {
    static func returnToSystem() {
        #if canImport(Glibc)
            let process = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT
            if let symbol = dlsym(process, "mallctl") {
                typealias Control = @convention(c) (UnsafePointer<CChar>, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?,
                                                     UnsafeMutableRawPointer?, Int) -> Int32
                // MALLCTL_ARENAS_ALL (4096 in jemalloc 5): every arena.
                _ = unsafeBitCast(symbol, to: Control.self)("arena.4096.purge", nil, nil, nil, 0)
            } else if let symbol = dlsym(process, "malloc_trim") {
                typealias Trim = @convention(c) (Int) -> Int32
                _ = unsafeBitCast(symbol, to: Trim.self)(0)
            }
        #endif
    }
}
