// Embeds text files into the target as string constants, so the server serves them from the
// binary itself (no resource bundle to ship alongside it): `OpenAPI/openapi.yaml`, and every
// file under `Console/Files` (the web console, `lumbung serve --console`).
import Foundation
import PackagePlugin

@main
struct EmbedTextPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let tool = try context.tool(named: "EmbedTextTool").url
        let input = target.directoryURL.appending(path: "OpenAPI/openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIText.generated.swift")
        var commands: [Command] = [
            .buildCommand(
                displayName: "Embedding openapi.yaml into \(target.name)",
                executable: tool,
                arguments: [input.path(), output.path(), "openAPIDocumentText"],
                inputFiles: [input],
                outputFiles: [output]
            )
        ]
        let console = target.directoryURL.appending(path: "Console/Files")
        let files = (FileManager.default.enumerator(at: console, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL } ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.path() < $1.path() }
        if !files.isEmpty {
            let consoleOutput = context.pluginWorkDirectoryURL.appending(path: "ConsoleFiles.generated.swift")
            commands.append(.buildCommand(
                displayName: "Embedding the console's \(files.count) files into \(target.name)",
                executable: tool,
                arguments: ["--directory", console.path(), consoleOutput.path(), "consoleFileTexts"] + files.map { $0.path() },
                inputFiles: files,
                outputFiles: [consoleOutput]
            ))
        }
        return commands
    }
}
