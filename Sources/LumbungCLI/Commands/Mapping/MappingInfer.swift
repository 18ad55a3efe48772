import ArgumentParser
import Foundation
import Lumbung
import LumbungIO

/// `lumbung mapping infer FILE`: a mapping proposed from a file's header and first rows.
struct MappingInfer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Propose a column mapping for a CSV from another register system.",
        discussion: """
            Reads FILE's header and its first --rows rows (as `import` reads a CSV: `,` or `;`, \
            a BOM, CRLF, .zst, --encoding) and writes a mapping to --out (default standard \
            output): headers placed on Lumbung fields by their common spellings (NO_KK, NIK, \
            NAMA_ART, JNS_KEL, HUB_KRT, SHDK, TGL_LAHIR, KODE_DESA, … and Lumbung's own names), \
            BPS relation and marital codes where their meaning is certain, the format of the \
            birth-date column (DD-MM-YYYY, DD/MM/YYYY, YYYYMMDD, YYYY-MM-DD or excel).

            What it cannot decide is left for you, and the mapping does not load until you do:
            - each coded column's unknown values are under "fill_in" with the target "" \
            (`import` refuses it: columns[3].fill_in["aktif"] '': fill in the Lumbung value …); \
            "seen" counts every value of the sample;
            - a required field the file lacks is a column {"field": …, "constant": ""};
            - headers no field matches are under "ignore", each with a line in "notes".
            A bare number in a coded column is never taken for Lumbung's own code: a foreign \
            system's numbering need not be Lumbung's (BPS relation 7 is famili lain, Lumbung's 7 \
            mertua). A summary (columns mapped, values to fill in) goes to standard error.

            Exit codes: 0 proposed (even with values to fill in); 3 the file is unreadable \
            (e.g. Windows-1252: pass --encoding windows-1252); 4 FILE does not exist; 2 a bad option.

            Example:
              lumbung mapping infer lama.csv --out lama.mapping.json
              # fill in every "" under "fill_in" and "constant", then:
              lumbung import lama.csv --mapping lama.mapping.json
            """)

    @Argument(help: ArgumentHelp("The CSV file (optionally .zst; - reads standard input).", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Where to write the mapping (default: standard output).", valueName: "path"))
    var out: String?

    @Option(help: "How many rows after the header to read.")
    var rows: Int = MappingInference.defaultRows

    @Option(help: "The CSV file's text encoding: utf8, or windows-1252 to convert old Excel files.")
    var encoding: EncodingChoice = .utf8

    func validate() throws {
        if rows < 1 { throw ValidationError("--rows must be at least 1") }
    }

    func run() throws {
        let proposal: MappingProposal
        do {
            proposal = try MappingInference.propose(path: file, rows: rows, encoding: encoding.value)
        } catch {
            throw try Import.explain(error, encoding: encoding) { _ in }
        }
        let sink = try ByteSink(path: out ?? "-", compress: false)
        try sink.write(proposal.mappingFile)
        try sink.close()
        Terminal.note(proposal.summary)
        if proposal.blanks > 0 {
            Terminal.note("next: fill in every \"\" under \"fill_in\" and \"constant\" in \(out ?? "the mapping"), then "
                + "lumbung import \(file) --mapping \(out ?? "MAPPING.json")")
        }
    }
}
