/** The contract between the policy engine (`judge.ts`) and the per-program rules (`program-rules.ts`). */
import type { ProjectPaths } from "./project-paths.ts";
import type { Arg } from "./words.ts";

/** Thrown inside a judgement to deny the command; its message is the reason given to the agent. */
export class Denial extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "Denial";
  }
}

/** Ends the judgement with a denial. */
export function deny(reason: string): never {
  throw new Denial(reason);
}

/** Where a command's standard input comes from. */
export type Stdin =
  /** The agent's own input: nothing to read. */
  | { readonly kind: "none" }
  /** A pipe (or a process substitution); `downloads` when a download program feeds it. */
  | { readonly kind: "pipe"; readonly downloads: boolean }
  /** A here-document or here-string; `text` is `undefined` when it is built at run time. */
  | { readonly kind: "text"; readonly text: string | undefined }
  /** A file (`< path`). */
  | { readonly kind: "file"; readonly path: Arg };

/** One program about to run: its arguments as far as they are known, and its input. */
export interface Invocation {
  readonly argv: readonly Arg[];
  /** `xargs` appends arguments read from its input after these. */
  readonly tailFromInput: boolean;
  readonly stdin: Stdin;
}

/** What the rules may ask of the engine. */
export interface Judge {
  readonly paths: ProjectPaths;
  /** PIDs this session started. */
  readonly ownedPids: ReadonlySet<number>;
  /** Whether the policy lets this interpreter run inline code (`python3 -c`, `node -e`). */
  inlineCodeAllowed(program: string): boolean;
  /** Whether a program name is allowed (built in or configured, and not denied). */
  programAllowed(program: string): boolean;
  /** Judges a program run by another one (`xargs CMD`, `env CMD`, `find -exec CMD`). */
  judgeInvocation(invocation: Invocation): void;
  /** Parses and judges a script run by another command (`sh -c`, `eval`, `trap`, `git rebase -x`). */
  judgeScript(text: string, stdin: Stdin, label: string): void;
  /** Judges a `NAME=value` environment assignment (`env`, prefixes, `export`). */
  judgeAssignment(name: string, value: Arg | undefined): void;
}

/** Checks one program's arguments; throws a {@link Denial} to deny. */
export type ProgramRule = (invocation: Invocation, judge: Judge) => void;
