import ArgumentParser
import Foundation
import Logging
import Lumbung

@main
struct Lumbung: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lumbung",
        abstract: "Keep a DTKS household register in an embedded LMDB store.",
        discussion: """
            Every command works on one store directory: --store PATH, else $LUMBUNG_STORE, \
            else ./lumbung-data. Create it with `lumbung init` or fill it with `lumbung generate`.

            Standard output carries data only (tables, JSON, ids); diagnostics and progress go to \
            standard error. Errors are one line, `error: [code] field 'value': rule`; NIKs in \
            them are masked.

            Exit codes:
              0  ok
              1  internal error: storage (I/O, store.permission: this user may not read or
                 write the store's files; see README "Permissions"), corrupt records, a store
                 that is busy or read-only
              2  usage: a bad option or argument (an empty --store or $LUMBUNG_STORE too)
              3  invalid input: a file, JSON or value the register refuses, or a clash with
                 what is stored (a malformed CSV or corrupt .zst, nik.*, kk.*, wilayah.*,
                 household.*, member.*, a duplicate NIK or KK, snapshot.exists, token.*,
                 evidence.type, evidence.tooLarge)
              4  not found: no such household, member, token, snapshot, attachment, file or
                 store
            Each error code has a kind (LumbungError.Kind); the kind decides the exit code.
              5  check found problems, a snapshot does not verify, or an attachment changed
              6  storage full: the disk (or the store's map) has no room for the write
                 (store.full, store.mapFull); the store is as it was before

            Example:
              lumbung generate --store /tmp/bekasi --households 10000
              lumbung generate --households 10000 --out bekasi.csv
              lumbung import --store /tmp/bekasi2 bekasi.csv
              lumbung stats --store /tmp/bekasi --wilayah 32.16.01
              lumbung find --store /tmp/bekasi --program PKH --desil-max 2 --limit 10
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, Generate.self, Stats.self, Get.self, Find.self, Check.self, Put.self,
            Delete.self, MoveMember.self, Import.self, Desil.self, Dukcapil.self, Mapping.self, Export.self, Match.self,
            Snapshot.self, Evidence.self, Gc.self, Publish.self, Compact.self, Token.self, Serve.self, RequestCommand.self, PeriodCommand.self, DecreeCommand.self,
        ]
    )

    /// Parses, runs, and maps a thrown ``LumbungError`` to its documented exit code.
    static func main() async {
        // Standard output carries data only: the store's log lines go to standard error.
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as LumbungError {
            Terminal.error(error.message)
            Foundation.exit(ExitCodes.code(for: error))
        } catch let error as CLIError {
            Terminal.error(error.message)
            Foundation.exit(error.exitCode)
        } catch {
            // argument-parser exits 64 (EX_USAGE) on usage errors; Lumbung documents 2.
            if exitCode(for: error) == .validationFailure {
                Terminal.note(fullMessage(for: error))
                Foundation.exit(ExitCodes.usage)
            }
            // Help, version, ExitCode(5) and anything else: argument-parser's own handling
            // (other errors exit 1).
            exit(withError: error)
        }
    }
}
