// Compiles the region-code CSVs in `Wilayah/Data/` into one generated Swift source.
import Foundation
import PackagePlugin

/// Runs `WilayahCompiler` over `wilayah.csv` and `penduduk.csv` and adds the generated
/// `WilayahData.swift` to the target, so the program never reads the CSVs at run time.
@main
struct WilayahTablePlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let data = target.directoryURL.appending(path: "Wilayah/Data")
        let wilayah = data.appending(path: "wilayah.csv")
        let penduduk = data.appending(path: "penduduk.csv")
        let output = context.pluginWorkDirectoryURL.appending(path: "WilayahData.swift")
        let tool = try context.tool(named: "WilayahCompiler")
        return [
            .buildCommand(
                displayName: "Compiling the kode wilayah table for \(target.name)",
                executable: tool.url,
                arguments: [wilayah.path(), penduduk.path(), output.path()],
                inputFiles: [wilayah, penduduk],
                outputFiles: [output]
            )
        ]
    }
}
