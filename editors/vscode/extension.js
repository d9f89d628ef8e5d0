// Starts `safeproc lsp` for .proc and .case files and hands it the user's settings.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration("safeproc");
  const command = settings.get("command") || "safeproc";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "safeproc",
    "safeproc",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "safeproc" }],
      initializationOptions: { sourceText: settings.get("sourceText") || "" },
    }
  );
  context.subscriptions.push(client);
  return client.start().catch((error) => {
    vscode.window.showErrorMessage(
      `safeproc: could not start \`${command} lsp\` (${error.message}). Set "safeproc.command" to the safeproc program.`
    );
  });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
