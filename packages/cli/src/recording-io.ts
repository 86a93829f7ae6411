import { PassThrough } from "node:stream";
import type { CliIo } from "./io.ts";

/** A {@link CliIo} for tests: stdout is recorded in `out`, stderr dropped, no terminal, empty stdin. */
export function recordingIo(cwd: string): CliIo & { readonly out: string[] } {
  const out: string[] = [];
  return {
    out,
    stdout: (text) => out.push(text),
    stderr: () => undefined,
    env: {},
    cwd,
    isTty: false,
    stdinStream: new PassThrough(),
    stdoutStream: new PassThrough(),
  };
}
