import { platformContract } from "../contract.ts";
import { TelegramWorld } from "./harness.ts";

platformContract("telegram", () => new TelegramWorld({ emulator: 9461, http: 9462 }));
