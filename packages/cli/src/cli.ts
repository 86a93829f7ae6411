/**
 * The `autowright` command line. Every command has `--help`; `--home DIR` is accepted before or after the
 * subcommand. User mistakes print one line to stderr and exit 1; no stack traces unless AUTOWRIGHT_DEBUG is set.
 */
import { AppError, isInternalErrorCode } from "@autowright/protocol";
import { Command, CommanderError, Option } from "commander";
import type { GlobalOptions } from "./context.ts";
import { type CliIo, readAll } from "./io.ts";
import { version } from "./version.ts";

const homeOption = (): Option =>
  new Option(
    "--home <dir>",
    "data directory for the registry and settings (default: $AUTOWRIGHT_HOME or ~/.autowright)",
  );

/** Builds the program; actions run synchronously or return promises that `runCli` awaits. */
function createProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command("autowright")
    .description(
      "Autonomous coding agents that build software from a spec, with a live Mission Control dashboard.",
    )
    .version(version, "-v, --version", "print the version")
    .addOption(homeOption())
    .helpOption("-h, --help", "show help")
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (text, write) => write(oneLine(text)),
    })
    .exitOverride()
    .showSuggestionAfterError(true);

  const command = (parent: Command, name: string, description: string): Command =>
    parent.command(name).description(description).addOption(homeOption()).exitOverride();
  const globals = (actionCommand: Command): GlobalOptions => actionCommand.optsWithGlobals<GlobalOptions>();

  command(
    program,
    "init",
    "register a project and scaffold .autowright/ (creates the folder and a git repository if needed)",
  )
    .argument("<dir>", "the project folder")
    .option("--name <name>", "project name (default: the folder name)")
    .option("--spec <file>", "app spec to copy into .autowright/prompts/app-spec.md")
    .action(async (directory: string, _options: unknown, self: Command) => {
      const { initCommand } = await import("./commands/init.ts");
      initCommand(directory, self.optsWithGlobals(), io);
    });

  const features = command(program, "features", "import, list and schedule the backlog of a project");
  command(features, "import", "add features from a JSON file, all or nothing")
    .argument("<dir>", "the project folder (or a registered project name)")
    .argument(
      "<file>",
      "a JSON array of {category?, name, description?, steps?, priority?, dependsOnIndices?, dependencies?}",
    )
    .action(async (directory: string, file: string, _options: unknown, self: Command) => {
      const { importFeaturesCommand } = await import("./commands/features.ts");
      importFeaturesCommand(directory, file, globals(self), io);
    });
  command(features, "list", "list the features of a project")
    .argument("<dir>", "the project folder (or a registered project name)")
    .option("--json", "print a JSON array with every field")
    .action(async (directory: string, _options: unknown, self: Command) => {
      const { listFeaturesCommand } = await import("./commands/features.ts");
      listFeaturesCommand(directory, self.optsWithGlobals(), io);
    });
  command(features, "ready", "show what is ready, blocked and stalled, in scheduling order")
    .argument("<dir>", "the project folder (or a registered project name)")
    .option("--json", 'print {"ready","blocked","stalled","cycles"} as JSON')
    .action(async (directory: string, _options: unknown, self: Command) => {
      const { readyFeaturesCommand } = await import("./commands/features.ts");
      readyFeaturesCommand(directory, self.optsWithGlobals(), io);
    });

  command(
    program,
    "import-autoforge",
    "import an AutoForge or AutoCoder project (its features.db and prompts)",
  )
    .argument(
      "<dir>",
      "the AutoForge project folder; it becomes an autowright project, .autoforge/ is left untouched",
    )
    .option("--name <name>", "project name (default: the folder name)")
    .action(async (directory: string, _options: unknown, self: Command) => {
      const { importAutoforgeCommand } = await import("./commands/import-autoforge.ts");
      importAutoforgeCommand(directory, self.optsWithGlobals(), io);
    });

  const settings = command(program, "settings", "show or change the settings (defaults for every run)");
  command(settings, "show", "print every setting as JSON, defaults included").action(
    async (_options: unknown, self: Command) => {
      const { showSettingsCommand } = await import("./commands/settings.ts");
      showSettingsCommand(globals(self), io);
    },
  );
  command(settings, "set", "change one setting; the value is JSON (a bare word is a string)")
    .argument("<key>", "the setting, e.g. maxAttempts, allowUncheckedPass, modelPrices or models.coding")
    .argument("<value>", 'its new value, e.g. 5, true, or {"my-model":{"inputPerMTok":1,"outputPerMTok":2}}')
    .action(async (key: string, value: string, _options: unknown, self: Command) => {
      const { setSettingCommand } = await import("./commands/settings.ts");
      setSettingCommand(key, value, globals(self), io);
    });

  const policy = command(program, "policy", "the command policy that judges the agents' shell commands");
  command(policy, "check", "judge commands read from stdin, one per line; prints one JSON line per command")
    .option(
      "--project <dir>",
      "the project whose .autowright/commands.yaml applies (default: the current folder)",
    )
    .action(async (_options: unknown, self: Command) => {
      const { policyCheckCommand } = await import("./commands/policy.ts");
      policyCheckCommand(self.optsWithGlobals(), io, await readAll(io.stdinStream));
    });

  command(program, "mcp", "serve the backlog tools to an MCP client over stdio")
    .requiredOption("--project <dir>", "the project folder (or a registered project name)")
    .action(async (_options: unknown, self: Command) => {
      const { mcpCommand } = await import("./commands/mcp.ts");
      await mcpCommand(self.optsWithGlobals(), io);
    });

  command(program, "run", "run the agents on a project until every feature passes, it stalls, or you stop it")
    .argument("<dir>", "the project folder (or a registered project name)")
    .option("--concurrency <n>", "how many agents at once (default: the maxConcurrency setting, 3)")
    .option(
      "--provider <provider>",
      "claude, anthropic, openai-compatible or replay (default: the provider setting)",
    )
    .option("--model <model>", "the model for every role (default: the per-role model settings)")
    .option("--yolo", "no testing agents; agents skip writing new tests")
    .option(
      "--allow-unchecked-pass",
      "let a feature pass when no check applies to it (no test or verify command); it is marked unverified",
    )
    .option(
      "--max-cost <usd>",
      "stop the run when it has cost this many dollars (refused for a model without a price)",
    )
    .option("--max-tokens <n>", "stop the run when it has used this many tokens (input and output)")
    .option("--json", "print every event as one JSON line (NDJSON) instead of the progress view")
    .option("--replay-latency-ms <n>", "with --provider replay: milliseconds per model turn")
    .option(
      "--replay-runtime <runtime>",
      "with --provider replay: loop (the tool loop, default) or claude (Claude Code)",
    )
    .option("--replay-script <file>", "with --provider replay: a JSON model script for the coding sessions")
    .option(
      "--replay-rate-limit-until <time>",
      "with --provider replay: answer 429 until this ISO time (rehearse rate limits)",
    )
    .action(async (directory: string, _options: unknown, self: Command) => {
      const { runCommand } = await import("./commands/run.ts");
      setExitCode(await runCommand(directory, self.optsWithGlobals(), io));
    });

  command(program, "serve", "serve the dashboard, the REST API and the live stream (the default command)")
    .option("--port <port>", "the port (default: 8888, or the next free one)")
    .option(
      "--host <address>",
      "the address to listen on (default 127.0.0.1; another one is reachable from the network)",
    )
    .option("--no-open", "do not open the browser")
    .action(async (_options: unknown, self: Command) => {
      const { serveCommand } = await import("./commands/serve.ts");
      setExitCode(await serveCommand(self.optsWithGlobals(), io));
    });

  command(
    program,
    "worker",
    "run one agent session on stdio frames (internal: the orchestrator spawns it)",
  ).action(async (_options: unknown, self: Command) => {
    const { workerCommand } = await import("./commands/worker.ts");
    setExitCode(await workerCommand(globals(self), io));
  });

  return program;
}

/** Commander's messages in our form: `autowright: …` on a single line (its suggestion joined on). */
function oneLine(text: string): string {
  return `${text
    .replace(/^error: /, "autowright: ")
    .replace(/\s*\n\s*(?=\S)/g, " ")
    .trimEnd()}\n`;
}

/** Runs the CLI with `argv` (without the node and script paths); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  // Plain `autowright` (and `autowright --home DIR`) serves.
  const serveByDefault = argv.length === 0 || (argv.length === 2 && argv[0] === "--home");
  try {
    await program.parseAsync(serveByDefault ? ["serve", ...argv] : [...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (help and version exit with 0).
    return error.exitCode;
  }
  if (AppError.isInstance(error)) {
    io.stderr(`autowright: ${error.message}\n`);
    if (isInternalErrorCode(error.code) && io.env["AUTOWRIGHT_DEBUG"] !== undefined)
      io.stderr(`${String(error.stack)}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(`autowright: internal error: ${message} (set AUTOWRIGHT_DEBUG=1 for details)\n`);
  if (io.env["AUTOWRIGHT_DEBUG"] !== undefined && error instanceof Error)
    io.stderr(`${String(error.stack)}\n`);
  return 1;
}
