/** `autowright policy check`: judge commands read from stdin, one per line, and print one JSON line each. */
import { loadCommandPolicy } from "@autowright/agent-runtime";
import { existingDirectory, type GlobalOptions, homeFor } from "../context.ts";
import type { CliIo } from "../io.ts";

/** Options of `policy check`. */
export interface PolicyCheckOptions extends GlobalOptions {
  /** The project whose `.autowright/commands.yaml` applies (default: the current directory). */
  readonly project?: string;
}

/**
 * Judges every non-empty line of `input` with the project's command policy and prints
 * `{"command","decision","reason"}` per line to stdout. A malformed policy file is an `invalid_input` error.
 */
export function policyCheckCommand(options: PolicyCheckOptions, io: CliIo, input: string): void {
  const projectRoot = existingDirectory(options.project ?? ".", io);
  const policy = loadCommandPolicy({ projectRoot, home: homeFor(options, io) });
  for (const line of input.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const { decision, reason } = policy.judge(line);
    io.stdout(`${JSON.stringify({ command: line, decision, reason })}\n`);
  }
}
