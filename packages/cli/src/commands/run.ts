/**
 * `autowright run <dir>`: the orchestrator, headless. A live progress view on a terminal, NDJSON events with
 * `--json`, plain lines otherwise. Exit codes: 0 every feature passes, 2 stalled, 3 stopped by a governor
 * (authentication, budget), 130 interrupted, 1 on error.
 */
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { Orchestrator, type RunResult, workerEnvironment } from "@autowright/orchestrator";
import {
  AppError,
  type Feature,
  type Provider,
  providerSchema,
  type ServerEvent,
  type Settings,
} from "@autowright/protocol";
import { claimProjectOwnership, ProjectStore, projectPaths, readSecrets } from "@autowright/store";
import { type GlobalOptions, homeFor, projectRoot, withRegistry } from "../context.ts";
import type { CliIo } from "../io.ts";
import { ProgressView } from "../progress-view.ts";

/** Options of `run`. */
export interface RunOptions extends GlobalOptions {
  readonly concurrency?: string;
  readonly provider?: string;
  readonly model?: string;
  readonly yolo?: boolean;
  readonly allowUncheckedPass?: boolean;
  readonly maxCost?: string;
  readonly maxTokens?: string;
  readonly json?: boolean;
  readonly replayLatencyMs?: string;
  readonly replayRuntime?: string;
  readonly replayScript?: string;
  readonly replayRateLimitUntil?: string;
}

function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new AppError("invalid_input", `${name} must be a whole number, got ${JSON.stringify(value)}`);
  return number;
}

/** A budget flag's value: a positive number that `valid` accepts, or undefined when the flag is absent. */
function budget(
  value: string | undefined,
  flag: string,
  what: string,
  valid: (number: number) => boolean,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!valid(number) || number <= 0)
    throw new AppError("invalid_input", `${flag} must be a positive ${what}, got ${JSON.stringify(value)}`);
  return number;
}

/** The settings of this run: the registry's, with the command line's overrides, validated. */
export function runSettings(base: Settings, options: RunOptions): Settings {
  const concurrency = positiveInteger(options.concurrency, "--concurrency");
  if (concurrency !== undefined && (concurrency < 1 || concurrency > Math.max(base.concurrencyCap, 16))) {
    throw new AppError(
      "invalid_input",
      `--concurrency must be between 1 and ${Math.max(base.concurrencyCap, 16)}`,
    );
  }
  const maxCostUsd = budget(options.maxCost, "--max-cost", "number of dollars", Number.isFinite);
  const maxTokens = budget(options.maxTokens, "--max-tokens", "whole number of tokens", Number.isSafeInteger);
  return {
    ...base,
    ...(concurrency === undefined
      ? {}
      : { maxConcurrency: concurrency, concurrencyCap: Math.max(base.concurrencyCap, concurrency) }),
    ...(options.yolo === true ? { yolo: true } : {}),
    ...(options.allowUncheckedPass === true ? { allowUncheckedPass: true } : {}),
    maxCostUsd: maxCostUsd ?? base.maxCostUsd,
    maxTokens: maxTokens ?? base.maxTokens,
  };
}

/** Runs `run`; resolves to the exit code. */
export async function runCommand(directory: string, options: RunOptions, io: CliIo): Promise<number> {
  const root = projectRoot(directory, options, io);
  const home = homeFor(options, io);
  const { settings: baseSettings, name } = withRegistry(options, io, (registry) => ({
    settings: registry.getSettings(),
    name: registry.findProjectByPath(root)?.name ?? root,
  }));
  const settings = runSettings(baseSettings, options);
  let provider: Provider = settings.provider;
  if (options.provider !== undefined) {
    const parsed = providerSchema.safeParse(options.provider);
    if (!parsed.success)
      throw new AppError("invalid_input", `--provider must be one of ${providerSchema.options.join(", ")}`);
    provider = parsed.data;
  }
  const latencyMs = positiveInteger(options.replayLatencyMs, "--replay-latency-ms");
  const replayRuntime = options.replayRuntime ?? "loop";
  if (replayRuntime !== "loop" && replayRuntime !== "claude")
    throw new AppError("invalid_input", "--replay-runtime must be loop or claude");

  // One writer: a project a server drives (or another run) is refused here, with a pointer to it.
  const releaseOwnership = claimProjectOwnership(projectPaths(root), { kind: "run" });
  let store: ProjectStore;
  try {
    store = ProjectStore.open(root);
  } catch (error) {
    releaseOwnership();
    throw error;
  }
  const orchestrator = new Orchestrator({
    store,
    projectName: name,
    settings,
    home,
    env: workerEnvironment({ ...readSecrets(home), ...io.env }, settings, provider),
    worker: { command: process.execPath, args: [workerEntry(), "worker", "--home", home] },
    overrides: {
      provider,
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(provider === "replay"
        ? {
            replay: {
              runtime: replayRuntime,
              latencyMs: latencyMs ?? 0,
              ...(options.replayScript === undefined
                ? {}
                : { script: readReplayScript(options.replayScript, io) }),
              ...(options.replayRateLimitUntil === undefined
                ? {}
                : { rateLimitUntil: parseTime(options.replayRateLimitUntil) }),
            },
          }
        : {}),
    },
  });
  const view = options.json === true ? undefined : new ProgressView(io, orchestrator, name);
  const unsubscribe = orchestrator.bus.subscribe((event: ServerEvent) => {
    if (options.json === true) io.stdout(`${JSON.stringify(event)}\n`);
    else view?.update(event);
  });
  let interrupted = false;
  const onSignal = (): void => {
    if (interrupted) return;
    interrupted = true;
    void orchestrator.stop("interrupted (Ctrl-C)");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let result: RunResult;
  let unverified = 0;
  try {
    result = await orchestrator.run();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    unsubscribe();
    view?.close();
    if (!store.closed) unverified = countUnverified(store.listFeatures());
    store.close();
    releaseOwnership();
  }
  // A run that failed says why once, on stderr, as every error does.
  if (options.json !== true && result.status !== "failed") io.stdout(`${summaryLine(result, unverified)}\n`);
  if (result.status === "completed") return 0;
  if (result.status === "stalled") return 2;
  if (result.governor !== undefined) return 3;
  if (interrupted) return 130;
  if (result.status === "failed") io.stderr(`autowright: ${result.reason}\n`);
  return 1;
}

function readReplayScript(file: string, io: CliIo): unknown {
  const path = resolve(io.cwd, file);
  if (!existsSync(path)) throw new AppError("not_found", `no such replay script: ${path}`);
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new AppError("invalid_json", `${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function parseTime(value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new AppError("invalid_input", `not a time: ${JSON.stringify(value)} (use ISO 8601)`);
  return new Date(time).toISOString();
}

/** How many features pass without a check having run (`allowUncheckedPass`). */
function countUnverified(features: readonly Feature[]): number {
  return features.filter((feature) => feature.status === "passing" && feature.unverified).length;
}

/** The run's last line: how it ended and why, and how many of its passes nothing checked. */
export function summaryLine(result: RunResult, unverified = 0): string {
  const labels: Record<RunResult["status"], string> = {
    completed: "Done",
    stalled: "Stalled",
    stopped: "Stopped",
    failed: "Failed",
  };
  const unchecked =
    unverified === 0
      ? ""
      : ` ${unverified} passing feature${unverified === 1 ? "" : "s"} passed without a check (unverified).`;
  const hint = result.status === "stalled" ? " See `autowright features ready`." : "";
  return `${labels[result.status]}: ${result.reason}.${unchecked}${hint}`;
}

/**
 * The script that starts this CLI (the launcher or the bundle's entry), to start workers with. Not this module's
 * own file: the bundle is split into chunks, and a chunk run on its own does nothing.
 */
function workerEntry(): string {
  const script = process.argv[1];
  if (script === undefined)
    throw new AppError("internal_error", "cannot tell which script started autowright");
  return realpathSync(script);
}
