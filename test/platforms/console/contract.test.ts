import { platformContract } from "../contract.ts";
import { ConsoleHarness } from "./harness.ts";

platformContract("console", () => new ConsoleHarness());
