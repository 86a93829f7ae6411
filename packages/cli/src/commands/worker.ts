/** `autowright worker`: one agent session on stdio frames. Spawned by the orchestrator, not run by hand. */
import { runWorker, selectRuntime } from "@autowright/agent-runtime";
import { type GlobalOptions, homeFor } from "../context.ts";
import type { CliIo } from "../io.ts";

/** Runs the worker until its session ends; resolves to the exit code. */
export function workerCommand(options: GlobalOptions, io: CliIo): Promise<number> {
  return runWorker({
    input: io.stdinStream,
    output: io.stdoutStream,
    env: io.env,
    home: homeFor(options, io),
    selectRuntime,
    ...heartbeat(io.env),
  });
}

/** `AUTOWRIGHT_HEARTBEAT_MS` overrides the heartbeat interval (tests use a short one). */
function heartbeat(env: NodeJS.ProcessEnv): { heartbeatMs?: number } {
  const value = Number(env["AUTOWRIGHT_HEARTBEAT_MS"]);
  return Number.isInteger(value) && value > 0 ? { heartbeatMs: value } : {};
}
