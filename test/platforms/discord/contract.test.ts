import { platformContract } from "../contract.ts";
import { DiscordHarness } from "./harness.ts";

platformContract("discord", () => new DiscordHarness());
