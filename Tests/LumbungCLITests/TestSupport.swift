// The shared test helpers (temporary directories, bounded waits, the built binary) in every file.
@_exported import LumbungTestSupport
