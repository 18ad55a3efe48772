import ArgumentParser

/// `lumbung desil …`: BPS desil rankings.
struct Desil: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import BPS desil rankings.",
        discussion: """
            BPS ranks households centrally and re-ranks them several times a year, so a desil \
            arrives as a dated ranking. `desil import` sets each ranked household's desil with the \
            ranking's version (desil_versi) and keeps the history (`lumbung get --desil-history`).

            Example:
              lumbung desil import desil-2026-01.csv --version 2026-01-23
              lumbung desil import ranking.csv.zst --version 2026-07-01 --by nik --dry-run
            """,
        subcommands: [DesilImport.self])
}
