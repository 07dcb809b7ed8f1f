/**
 * The startup baseline: the smallest MCP server the SDK makes — a name, no tools,
 * no capabilities beyond the defaults — on stdio. It answers `initialize` and then
 * does nothing until its client goes away.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const server = new McpServer({ name: "bare", version: "1.0.0" });
server.connect(new StdioServerTransport()).catch((err: unknown) => {
  process.stderr.write(`bare server: ${(err as Error).message}\n`);
  process.exit(1);
});
process.stdin.on("close", () => process.exit(0));
