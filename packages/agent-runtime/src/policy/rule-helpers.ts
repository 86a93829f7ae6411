/** Small helpers shared by the program rules. */
import { posix } from "node:path";
import { deny, type Invocation, type Judge } from "./judge-types.ts";
import type { ScannedArgs } from "./option-scanner.ts";
import type { Arg } from "./words.ts";

/** The program's name as the agent wrote it, without a directory (`/bin/rm` → `rm`). */
export function programName(invocation: Invocation): string {
  return posix.basename(invocation.argv[0]?.value ?? "");
}

/** The arguments after the program name. */
export function argumentsOf(invocation: Invocation): readonly Arg[] {
  return invocation.argv.slice(1);
}

/** An invocation of `argv` run by `invocation`'s program (same input, same appended arguments). */
export function wrappedInvocation(invocation: Invocation, argv: readonly Arg[]): Invocation {
  return { argv, tailFromInput: invocation.tailFromInput, stdin: invocation.stdin };
}

/** Denies arguments only known at run time where an option could stand (they could be `--exec=…`). */
export function rejectUnknownOptions(scanned: ScannedArgs, program: string): void {
  const first = scanned.unknown[0];
  if (first !== undefined) {
    deny(
      `"${program}" argument ${first.raw} is only known at run time and could be an option; write it literally or put it after --`,
    );
  }
}

/** Denies when `xargs` appends arguments from its input to a program whose arguments must be checked. */
export function rejectInputTail(invocation: Invocation, what: string): void {
  if (invocation.tailFromInput) {
    deny(
      `"xargs ${programName(invocation)}" would pass ${what} read from its input, which the policy cannot check; name them literally`,
    );
  }
}

/** Denies unless every path in `args` may be written by `program`. */
export function checkWrites(args: readonly (Arg | undefined)[], program: string, judge: Judge): void {
  for (const arg of args) {
    if (arg === undefined) continue;
    const problem = judge.paths.writeProblem(arg, `"${program}"`);
    if (problem !== undefined) deny(problem);
  }
}
