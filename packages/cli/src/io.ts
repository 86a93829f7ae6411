import type { Readable, Writable } from "node:stream";

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** True when stdout is a terminal (progress views, colours). */
  readonly isTty: boolean;
  /** The terminal's width in columns, when stdout is a terminal (read when drawing: terminals resize). */
  readonly columns?: number;
  /** The raw streams, for commands that speak a protocol on stdio (worker, mcp). */
  readonly stdinStream: Readable;
  readonly stdoutStream: Writable;
}

/** Reads all of stdin as text. */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTty: process.stdout.isTTY === true,
    get columns() {
      return process.stdout.columns;
    },
    stdinStream: process.stdin,
    stdoutStream: process.stdout,
  };
}
