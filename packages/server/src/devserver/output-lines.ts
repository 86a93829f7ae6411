/** The dev server's output as lines (bounded, colours removed), and the local URL a line announces. */
import { StringDecoder } from "node:string_decoder";

/** Splits a byte stream into lines of at most `maxLength` characters (longer ones are cut and marked). */
export class LineSplitter {
  readonly #decoder = new StringDecoder("utf8");
  readonly #maxLength: number;
  readonly #onLine: (line: string) => void;
  #partial = "";
  /** True while the rest of an over-long line is being dropped. */
  #skipping = false;

  constructor(maxLength: number, onLine: (line: string) => void) {
    this.#maxLength = Math.max(16, maxLength);
    this.#onLine = onLine;
  }

  /** Adds a chunk; emits every line it completes. */
  push(chunk: Buffer): void {
    this.#take(this.#decoder.write(chunk));
  }

  /** Emits what is left (a last line without a newline). */
  end(): void {
    this.#take(this.#decoder.end());
    if (this.#partial !== "" && !this.#skipping) this.#emit(this.#partial);
    this.#partial = "";
    this.#skipping = false;
  }

  #take(text: string): void {
    let rest = text;
    for (;;) {
      const newline = rest.indexOf("\n");
      if (newline < 0) break;
      const piece = rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      if (this.#skipping) {
        this.#skipping = false;
        this.#partial = "";
        continue;
      }
      this.#emit(this.#partial + piece);
      this.#partial = "";
    }
    if (this.#skipping) return;
    this.#partial += rest;
    if (this.#partial.length > this.#maxLength) {
      this.#emit(this.#partial);
      this.#partial = "";
      this.#skipping = true;
    }
  }

  #emit(raw: string): void {
    // A progress bar redraws with `\r`: what remains visible is the text after the last one.
    const withoutReturn = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const visible = withoutReturn.slice(withoutReturn.lastIndexOf("\r") + 1);
    const line = stripAnsi(visible);
    this.#onLine(line.length > this.#maxLength ? `${line.slice(0, this.#maxLength - 1)}…` : line);
  }
}

// CSI sequences, OSC sequences (ended by BEL or ST), then any other two-character escape.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching escape sequences is the point.
const ansiPattern = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-_]/g;

/** The text without terminal escape sequences (colours, cursor moves, titles). */
export function stripAnsi(text: string): string {
  return text.replace(ansiPattern, "");
}

const localUrlPattern =
  /\bhttps?:\/\/(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\])(?![\w-]|\.\w)(?::\d{1,5})?(?:\/[^\s"'<>`)\]]*)?/i;

/**
 * The first local URL in a line (`localhost`, `127.x.x.x`, `[::1]`, or a wildcard `0.0.0.0`/`[::]`, which becomes
 * `localhost`), normalised; undefined when there is none. Other hosts (documentation links, the LAN address) are
 * not the app's local URL.
 */
export function detectLocalUrl(line: string): string | undefined {
  const match = localUrlPattern.exec(line);
  if (match === null) return undefined;
  const text = match[0].replace(/[.,;:!?]+$/, "");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.port !== "" && (Number(url.port) < 1 || Number(url.port) > 65_535)) return undefined;
  if (url.hostname === "0.0.0.0" || url.hostname === "[::]") url.hostname = "localhost";
  return url.href;
}

/** The port of a URL (its default when it names none). */
export function portOfUrl(url: string): number {
  const parsed = new URL(url);
  if (parsed.port !== "") return Number(parsed.port);
  return parsed.protocol === "https:" ? 443 : 80;
}
