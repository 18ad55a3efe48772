/// File import and export for Lumbung stores: flat CSV (one member per row) and JSON Lines,
/// either optionally zstd-compressed. Holds no storage logic: it reads and writes files and
/// calls the `Lumbung` core.
public enum LumbungIO {}
