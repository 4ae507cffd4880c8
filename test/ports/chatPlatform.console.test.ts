// The console's ChatPlatform keeps the port's contract. A terminal has no
// message ids to look up: each post and edit prints a block under the chat's
// name, and what the reader sees of a message is the newest block printed.
import { PassThrough } from "node:stream";
import { consolePlatform } from "../../src/platforms/console/platform.ts";
import { chatPlatformContract, verificationChat } from "./chatPlatform.contract.ts";

chatPlatformContract({
  name: "console",
  capabilities: { rateLimits: false, failures: false, fileBytes: false },
  async open() {
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => {
      printed += chunk.toString("utf8");
    });
    const newestBlock = (): string => printed.slice(printed.lastIndexOf("[#verification]"));
    return {
      platform: consolePlatform(output),
      target: verificationChat("CONSOLE", "room"),
      shown: async () => newestBlock(),
      file: async () => {
        const name = /\((?:file|image): ([^)]*)\)/.exec(newestBlock())?.[1];
        return name === undefined ? null : { filename: name, bytes: null };
      },
      secrets: [],
      faults: null,
      close: async () => {
        output.end();
      },
    };
  },
});
