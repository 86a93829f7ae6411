/**
 * Shell words as the policy sees them: quotes removed, escapes decoded, brace expansion done, and anything only
 * known at run time (parameters, command substitutions, arithmetic) marked as such instead of guessed.
 */
import type { DblQuoted, Lit, ParamExp, SglQuoted, ShellNode, Word } from "./shell-ast.ts";
import { nodeType, type ShellSource } from "./shell-syntax.ts";

/** One argument of a command after the shell's expansions, as far as they can be known before running it. */
export interface Arg {
  /** The argument's text; `undefined` when it is only known at run time. */
  readonly value: string | undefined;
  /** The word as written, for messages. */
  readonly raw: string;
  /** Contains an unquoted glob character (`*`, `?`, `[`). */
  readonly glob: boolean;
  /** Starts with an unquoted `~` (a home directory). */
  readonly tilde: boolean;
  /** Starts with `$HOME`. */
  readonly home: boolean;
  /** Is exactly `$!`: the PID of a background job this same shell started. */
  readonly lastJobPid: boolean;
  /**
   * Contains text read at run time from input: `xargs`'s replace string (`value` unknown) or `find -exec`'s `{}`
   * (`value` has `{}` placed under the search's starting point, so paths can still be checked).
   */
  readonly fromInput: boolean;
}

/** The most words one brace expansion may produce before the word is treated as unknown. */
const maxBraceExpansions = 256;

interface Char {
  readonly c: string;
  readonly quoted: boolean;
}

/** An argument known before running: plain text. */
export function literalArg(value: string, raw = value): Arg {
  return { value, raw, glob: false, tilde: false, home: false, lastJobPid: false, fromInput: false };
}

/** An argument only known at run time. */
export function unknownArg(raw: string, fromInput = false): Arg {
  return { value: undefined, raw, glob: false, tilde: false, home: false, lastJobPid: false, fromInput };
}

/** Expands a word the way the shell would before running the command (brace expansion included). */
export function expandWord(word: Word, source: ShellSource, braces = true): Arg[] {
  const raw = source.of(word);
  const chars: Char[] = [];
  let known = true;
  let home = false;
  let lastJobPid = false;
  const parts = word.Parts;
  parts.forEach((part, index) => {
    switch (nodeType(part)) {
      case "Lit":
        pushUnquotedLiteral(chars, (part as Lit).Value);
        break;
      case "SglQuoted": {
        const quoted = part as SglQuoted;
        pushQuoted(chars, quoted.Dollar ? decodeAnsiC(quoted.Value) : quoted.Value);
        break;
      }
      case "DblQuoted":
        for (const [innerIndex, inner] of (part as DblQuoted).Parts.entries()) {
          if (nodeType(inner) === "Lit") {
            pushQuoted(chars, removeDoubleQuoteEscapes((inner as Lit).Value));
          } else {
            known = false;
            if (index === 0 && innerIndex === 0 && isParameter(inner, "HOME")) home = true;
          }
        }
        break;
      case "ParamExp":
        known = false;
        if (index === 0 && isParameter(part, "HOME")) home = true;
        if (parts.length === 1 && isParameter(part, "!")) lastJobPid = true;
        break;
      default:
        // Command and process substitutions, arithmetic, extended globs: only known at run time.
        known = false;
    }
  });
  if (!known) return [{ ...unknownArg(raw), home, lastJobPid }];
  const tilde = chars[0]?.c === "~" && !chars[0].quoted;
  const expansions = braces ? braceExpand(chars) : [chars];
  if (expansions === undefined) return [unknownArg(raw)];
  return expansions.map((expansion) => ({
    value: expansion.map((char) => char.c).join(""),
    raw,
    glob: isGlob(expansion),
    tilde,
    home: false,
    lastJobPid: false,
    fromInput: false,
  }));
}

/** Expands every word of a command line. */
export function expandWords(words: readonly Word[], source: ShellSource): Arg[] {
  return words.flatMap((word) => expandWord(word, source));
}

/** Unquoted `*` or `?`, or an unquoted `[` closed by a later unquoted `]`. */
function isGlob(chars: readonly Char[]): boolean {
  let bracket = false;
  for (const char of chars) {
    if (char.quoted) continue;
    if (char.c === "*" || char.c === "?") return true;
    if (char.c === "[") bracket = true;
    else if (char.c === "]" && bracket) return true;
  }
  return false;
}

function isParameter(node: ShellNode, name: string): boolean {
  if (nodeType(node) !== "ParamExp") return false;
  const parameter = node as ParamExp;
  return parameter.Param?.Value === name && !parameter.Excl && !parameter.Length;
}

function pushUnquotedLiteral(chars: Char[], text: string): void {
  for (let index = 0; index < text.length; index++) {
    const c = text[index] as string;
    if (c === "\\" && index + 1 < text.length) {
      index++;
      if (text[index] !== "\n") chars.push({ c: text[index] as string, quoted: true });
    } else {
      chars.push({ c, quoted: false });
    }
  }
}

function pushQuoted(chars: Char[], text: string): void {
  for (const c of text) chars.push({ c, quoted: true });
}

/** Inside double quotes a backslash only escapes `$`, `` ` ``, `"`, `\` and a newline. */
export function removeDoubleQuoteEscapes(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_match, escaped: string) => (escaped === "\n" ? "" : escaped));
}

/** Inside an unquoted here-document a backslash only escapes `$`, `` ` ``, `\` and a newline. */
export function removeHeredocEscapes(text: string): string {
  return text.replace(/\\([$`\\\n])/g, (_match, escaped: string) => (escaped === "\n" ? "" : escaped));
}

const simpleEscapes: Readonly<Record<string, string>> = {
  a: "\u0007",
  b: "\b",
  e: "\u001b",
  E: "\u001b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  "'": "'",
  '"': '"',
  "?": "?",
};

/** Decodes the escapes of a `$'…'` string. */
export function decodeAnsiC(text: string): string {
  return text.replace(
    /\\(?:([abeEfnrtv\\'"?])|([0-7]{1,3})|x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|U([0-9a-fA-F]{1,8})|c(.))/g,
    (
      match,
      simple?: string,
      octal?: string,
      hex?: string,
      unicode?: string,
      wide?: string,
      control?: string,
    ) => {
      if (simple !== undefined) return simpleEscapes[simple] ?? match;
      const code =
        octal !== undefined
          ? Number.parseInt(octal, 8)
          : hex !== undefined
            ? Number.parseInt(hex, 16)
            : unicode !== undefined
              ? Number.parseInt(unicode, 16)
              : wide !== undefined
                ? Number.parseInt(wide, 16)
                : control !== undefined
                  ? (control.codePointAt(0) ?? 0) & 0x1f
                  : undefined;
      if (code === undefined || code > 0x10ffff) return match;
      return String.fromCodePoint(code);
    },
  );
}

function isUnquoted(char: Char | undefined, c: string): boolean {
  return char !== undefined && !char.quoted && char.c === c;
}

/** Bash brace expansion; `undefined` when it would produce too many words to judge. */
function braceExpand(chars: readonly Char[]): Char[][] | undefined {
  for (let open = 0; open < chars.length; open++) {
    if (!isUnquoted(chars[open], "{")) continue;
    let depth = 0;
    let close = -1;
    const commas: number[] = [];
    for (let index = open + 1; index < chars.length; index++) {
      const char = chars[index];
      if (isUnquoted(char, "{")) depth++;
      else if (isUnquoted(char, "}")) {
        if (depth === 0) {
          close = index;
          break;
        }
        depth--;
      } else if (depth === 0 && isUnquoted(char, ",")) commas.push(index);
    }
    if (close < 0) continue;
    let alternatives: Char[][];
    if (commas.length > 0) {
      alternatives = [];
      let start = open + 1;
      for (const comma of [...commas, close]) {
        alternatives.push(chars.slice(start, comma));
        start = comma + 1;
      }
    } else {
      const sequence = braceSequence(
        chars
          .slice(open + 1, close)
          .map((char) => char.c)
          .join(""),
      );
      if (sequence === undefined) continue;
      if (sequence.length > maxBraceExpansions) return undefined;
      alternatives = sequence.map((text) => [...text].map((c) => ({ c, quoted: true })));
    }
    const prefix = chars.slice(0, open);
    const suffixes = braceExpand(chars.slice(close + 1));
    if (suffixes === undefined) return undefined;
    const results: Char[][] = [];
    for (const alternative of alternatives) {
      const expanded = braceExpand(alternative);
      if (expanded === undefined) return undefined;
      for (const middle of expanded) {
        for (const suffix of suffixes) {
          results.push([...prefix, ...middle, ...suffix]);
          if (results.length > maxBraceExpansions) return undefined;
        }
      }
    }
    return results;
  }
  return [chars.slice()];
}

function braceSequence(text: string): string[] | undefined {
  const numeric = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(text);
  const letters = /^([a-zA-Z])\.\.([a-zA-Z])(?:\.\.(-?\d+))?$/.exec(text);
  const match = numeric ?? letters;
  if (match === null) return undefined;
  const from = numeric ? Number(match[1]) : (match[1] as string).charCodeAt(0);
  const to = numeric ? Number(match[2]) : (match[2] as string).charCodeAt(0);
  const step = Math.abs(Number(match[3] ?? 1)) || 1;
  if (Math.abs(to - from) / step > maxBraceExpansions) return Array.from({ length: maxBraceExpansions + 1 });
  const values: string[] = [];
  const direction = to >= from ? 1 : -1;
  for (let value = from; direction > 0 ? value <= to : value >= to; value += direction * step) {
    values.push(numeric ? String(value) : String.fromCharCode(value));
  }
  return values;
}
