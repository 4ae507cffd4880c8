import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The flags each `cairn` command takes; every command also takes --help. */
const COMMAND_OPTIONS: Readonly<Record<string, Options>> = {
  "deploy-commands": { guild: { type: "string" } },
  export: { json: { type: "boolean" }, out: { type: "string" } },
  token: { community: { type: "string" }, agent: { type: "boolean" } },
};

const HELP: Options = { help: { type: "boolean", short: "h" } };

/** A flag's value; none of Cairn's flags repeats, so never the list parseArgs could give. */
export type Flag = string | boolean | Array<string | boolean> | undefined;

/** What `cairn …` was asked to do, read from its arguments alone. */
export type CommandLine =
  | { readonly kind: "help" }
  | {
      readonly kind: "run";
      /** undefined: the default command, which depends on the configuration. */
      readonly command: string | undefined;
      readonly args: readonly string[];
      readonly flags: Readonly<Record<string, Flag>>;
    }
  | { readonly kind: "refused"; readonly message: string };

/**
 * Reads `cairn [COMMAND] [ARGS] [--FLAGS]` with node:util parseArgs: each
 * command's own flags, `--help`/`-h`/`help` anywhere, and a one-line refusal
 * for a flag the command does not take or one missing its value.
 */
export function readCommandLine(argv: readonly string[]): CommandLine {
  const command = argv.find((arg) => !arg.startsWith("-"));
  const options = { ...HELP, ...(command === undefined ? {} : COMMAND_OPTIONS[command]) };
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
    if (values["help"] === true || positionals[0] === "help") return { kind: "help" };
    const [first, ...args] = positionals;
    return { kind: "run", command: first, args, flags: values };
  } catch (error) {
    return { kind: "refused", message: refusalOf(error, command) };
  }
}

function refusalOf(error: unknown, command: string | undefined): string {
  const code = (error as { code?: unknown }).code;
  const where = command === undefined ? "cairn" : `cairn ${command}`;
  const flag = /'(-[^' ]+)/.exec(error instanceof Error ? error.message : "")?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
    return `unknown option ${flag} for ${where}; see cairn --help`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
    return /does not take/.test(String((error as Error).message))
      ? `option ${flag} of ${where} takes no value`
      : `option ${flag} of ${where} needs a value`;
  throw error;
}
