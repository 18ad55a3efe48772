import ArgumentParser

/// `lumbung mapping …`: column mappings for files from other register systems.
struct Mapping: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Propose column mappings for CSV files from other register systems.",
        discussion: """
            A column mapping (README, "Column mappings") lets `lumbung import --mapping` read a \
            flat CSV in another system's headers and vocabulary. `mapping infer` proposes one \
            from the file itself.

            Example:
              lumbung mapping infer lama.csv --out lama.mapping.json
              lumbung import lama.csv --mapping lama.mapping.json --dry-run
            """,
        subcommands: [MappingInfer.self])
}
