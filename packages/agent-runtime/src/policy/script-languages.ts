/**
 * Conservative scanners for the two text-processing languages agents use inline: sed and awk. They look only
 * for what can run programs or write files; everything else passes.
 */

/** What a sed script can do beyond editing text. */
export interface SedFindings {
  /** Uses GNU sed's `e` command or the `e` flag of `s`, which run shell commands. */
  readonly executes: boolean;
  /** Files written by `w`, `W` or the `w` flag of `s`. */
  readonly writes: readonly string[];
}

/** Scans a sed script (GNU syntax). */
export function scanSedScript(script: string): SedFindings {
  let executes = false;
  const writes: string[] = [];
  let index = 0;
  const length = script.length;
  const at = (offset = 0): string => script[index + offset] ?? "";
  const restOfLine = (): string => {
    let end = script.indexOf("\n", index);
    if (end < 0) end = length;
    const text = script.slice(index, end);
    index = end;
    return text.trim();
  };
  const skipUntil = (delimiter: string): void => {
    while (index < length && at() !== delimiter) {
      if (at() === "\\") index++;
      else if (at() === "\n" && delimiter !== "\n") return;
      index++;
    }
    index++;
  };
  const skipAddress = (): void => {
    const c = at();
    if (/\d/.test(c)) {
      while (/[\d~]/.test(at())) index++;
    } else if (c === "$") index++;
    else if (c === "/" || c === "\\") {
      if (c === "\\") index++;
      const delimiter = at();
      index++;
      skipUntil(delimiter);
      while (/[IM]/.test(at())) index++;
    } else return;
  };
  while (index < length) {
    while (/[\s;]/.test(at()) && index < length) index++;
    if (index >= length) break;
    skipAddress();
    while (at() === " ") index++;
    if (at() === ",") {
      index++;
      while (at() === " ") index++;
      if (at() === "+" || at() === "~") index++;
      skipAddress();
    }
    while (at() === " " || at() === "!") index++;
    const command = at();
    index++;
    switch (command) {
      case "#":
      case "a":
      case "i":
      case "c":
      case "r":
      case "R":
        while (index < length && at() !== "\n") {
          if (at() === "\\") index++;
          index++;
        }
        break;
      case ":":
      case "b":
      case "t":
      case "T":
      case "v":
        while (index < length && at() !== "\n" && at() !== ";") index++;
        break;
      case "e":
        executes = true;
        restOfLine();
        break;
      case "w":
      case "W":
        writes.push(restOfLine());
        break;
      case "s":
      case "y": {
        const delimiter = at();
        index++;
        skipUntil(delimiter);
        skipUntil(delimiter);
        if (command === "s") {
          while (/[0-9gpiImMe]/.test(at()) && index < length) {
            if (at() === "e") executes = true;
            index++;
          }
          if (at() === "w") {
            index++;
            writes.push(restOfLine());
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return { executes, writes };
}

/** What an awk program can do beyond transforming text. */
export interface AwkFindings {
  /** Calls `system()`, pipes to or from a command, or loads an extension. */
  readonly executes: boolean;
  /** Files written by `print > "file"` with a literal file name. */
  readonly writes: readonly string[];
  /** Writes to a file whose name is computed. */
  readonly computedWrite: boolean;
}

/** Scans an awk program. String and regular-expression literals are skipped. */
export function scanAwkProgram(program: string): AwkFindings {
  const strings: string[] = [];
  let code = "";
  let index = 0;
  let previous = "";
  while (index < program.length) {
    const c = program[index] as string;
    if (c === "#") {
      while (index < program.length && program[index] !== "\n") index++;
      continue;
    }
    if (c === '"') {
      let text = "";
      index++;
      while (index < program.length && program[index] !== '"') {
        if (program[index] === "\\" && index + 1 < program.length) {
          text += program[index + 1];
          index += 2;
          continue;
        }
        text += program[index];
        index++;
      }
      index++;
      code += ` \uE000${strings.length} `;
      strings.push(text);
      previous = "s";
      continue;
    }
    if (c === "/" && (previous === "" || /[(,~!{};&|=<>?:\n+\-*%^]/.test(previous))) {
      index++;
      let inBracket = false;
      while (index < program.length) {
        const r = program[index];
        if (r === "\\") index++;
        else if (r === "[") inBracket = true;
        else if (r === "]") inBracket = false;
        else if (r === "/" && !inBracket) break;
        index++;
      }
      index++;
      code += " /re/ ";
      previous = "r";
      continue;
    }
    code += c;
    if (!/\s/.test(c) || c === "\n") previous = c;
    index++;
  }
  const executes = /\bsystem\s*\(/.test(code) || /(^|[^|])\|(?!\|)/.test(code) || /@load\b/.test(code);
  const writes: string[] = [];
  let computedWrite = false;
  for (const match of code.matchAll(/\bprintf?\b/g)) {
    let depth = 0;
    for (let position = (match.index ?? 0) + match[0].length; position < code.length; position++) {
      const c = code[position];
      if (c === "(") depth++;
      else if (c === ")") depth--;
      else if (depth <= 0 && (c === ";" || c === "}" || c === "\n")) break;
      else if (depth <= 0 && c === ">") {
        const target = /^>?\s*\uE000(\d+)/.exec(code.slice(position + 1));
        if (target === null) computedWrite = true;
        else writes.push(strings[Number(target[1])] ?? "");
        break;
      }
    }
  }
  return { executes, writes, computedWrite };
}
