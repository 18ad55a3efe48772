import Foundation
import Testing

/// LibreOffice (Debian's libreoffice-calc-nogui, which `tools/setup.sh test` installs) as the real
/// peer of the .xlsx tests: where it is, and a headless conversion with a profile of its own.
public enum LibreOffice {
    /// The LibreOffice executable on PATH, if installed (`make test` installs it).
    public static var executable: String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        for directory in paths {
            for name in ["libreoffice", "soffice"] where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    /// Runs `libreoffice --headless --convert-to TARGET` on `file` into `directory/lo`, with a
    /// profile of its own (parallel tests would otherwise wait on one profile's lock); returns the
    /// converted file's path. `filter` is the input filter (CSV options).
    public static func convert(_ file: String, to target: String, filter: String? = nil, in directory: TemporaryDirectory) throws -> String {
        let office = try #require(executable, "install LibreOffice: apt-get install libreoffice-calc-nogui (make test does: tools/setup.sh test)")
        let out = directory.sub("lo")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: office)
        var arguments = ["-env:UserInstallation=file://\(directory.sub("lo-profile"))", "--headless"]
        if let filter { arguments += ["--infilter=\(filter)"] }
        arguments += ["--convert-to", target, "--outdir", out, file]
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory.path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        waitBounded(process, arguments: arguments)
        try #require(process.terminationStatus == 0, "libreoffice \(arguments) exited \(process.terminationStatus)")
        let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension + "." + target.split(separator: ":")[0]
        let path = (out as NSString).appendingPathComponent(name)
        try #require(FileManager.default.fileExists(atPath: path), "LibreOffice wrote no \(name)")
        return path
    }

    /// LibreOffice's CSV filter: `,`, `"`, UTF-8, from line 1, and every one of `columns` typed
    /// Text (2), so it keeps each cell's text as written: NIK and KK stay 16 digits, `57.0` stays
    /// `57.0`, dates stay `YYYY-MM-DD`. (A column left Standard is read as a number or a date.)
    public static func textColumnsFilter(_ columns: Int, separator: Int = 44) -> String {
        "CSV:\(separator),34,76,1," + (1...columns).map { "\($0)/2" }.joined(separator: "/")
    }
}
