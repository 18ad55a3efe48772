// Embeds `OpenAPI/openapi.yaml` into the target as a string constant, so the server serves the
// document from the binary itself (no resource bundle to ship alongside it).
import Foundation
import PackagePlugin

@main
struct EmbedTextPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let input = target.directoryURL.appending(path: "OpenAPI/openapi.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIText.generated.swift")
        return [
            .buildCommand(
                displayName: "Embedding openapi.yaml into \(target.name)",
                executable: try context.tool(named: "EmbedTextTool").url,
                arguments: [input.path(), output.path(), "openAPIDocumentText"],
                inputFiles: [input],
                outputFiles: [output]
            )
        ]
    }
}
