/**
 * Rules for shells and language interpreters. A shell's `-c` script is parsed and judged like any command; an
 * interpreter's inline code (`python3 -c`, `node -e`) is denied unless the policy allows inline code for it; a
 * shell or interpreter reading its program from a pipe is denied (always, when a download feeds the pipe).
 */
import { deny, type Invocation, type Judge, type ProgramRule } from "./judge-types.ts";
import { ProjectPaths } from "./project-paths.ts";
import { argumentsOf, programName } from "./rule-helpers.ts";

/** Why running a script from an open file descriptor (`bash /dev/fd/3`) is denied. */
export function descriptorScriptReason(program: string, path: string): string {
  return `"${program} ${path}" runs a script from an open file descriptor, which the policy cannot check; run a script file in the project`;
}

function inlineCodeReason(program: string, how: string): string {
  return `${how} runs inline code; write the code to a file in the project and run the file, or add ${program} to allowInlineCode in .autowright/commands.yaml`;
}

/** Denies inline code (or an awk or sed program) that names a credential store literally. */
export function rejectCredentialMention(judge: Judge, text: string, who: string): void {
  const problem = judge.paths.mentionProblem(text, who);
  if (problem !== undefined) deny(problem);
}

/**
 * Judges a shell or interpreter that reads its program from standard input (no script operand, `-s`, `-`,
 * `/dev/stdin`).
 */
export function readsProgramFromStdin(invocation: Invocation, judge: Judge, isShell: boolean): void {
  const program = programName(invocation);
  if (invocation.tailFromInput) {
    deny(
      `"xargs ${program}" would run a script named by its input, which the policy cannot check; name the script`,
    );
  }
  const stdin = invocation.stdin;
  switch (stdin.kind) {
    case "file":
      if (stdin.path.value === undefined) {
        deny(
          `"${program}" would run a script only known at run time (${stdin.path.raw}); name the script file literally`,
        );
      }
      return;
    case "text":
      if (stdin.text === undefined) {
        deny(
          `"${program}" would run a here-document built at run time; write the script to a file in the project and run it`,
        );
      }
      if (isShell) judge.judgeScript(stdin.text, { kind: "none" }, `the "${program}" here-document`);
      else {
        rejectCredentialMention(judge, stdin.text, `the "${program}" here-document`);
        if (!judge.inlineCodeAllowed(program))
          deny(inlineCodeReason(program, `"${program}" with a here-document`));
      }
      return;
    case "pipe":
      if (stdin.downloads) {
        deny(
          `a download piped into "${program}" runs remote code; save it to a file in the project, read it, then run that file`,
        );
      }
      if (isShell) {
        deny(
          `"${program}" would run commands read from a pipe, which the policy cannot check; pass them with ${program} -c '…' or run a script file`,
        );
      }
      if (!judge.inlineCodeAllowed(program))
        deny(inlineCodeReason(program, `"${program}" reading code from a pipe`));
      return;
    case "none":
      deny(
        `"${program}" was given no script, so it would read one from its input; name a script file in the project`,
      );
  }
}

const shell: ProgramRule = (invocation, judge) => {
  const program = programName(invocation);
  const args = argumentsOf(invocation);
  let index = 0;
  let command = false;
  let fromStdin = false;
  while (index < args.length) {
    const arg = args[index];
    const value = arg?.value;
    if (value === undefined) {
      if (command) break;
      deny(`"${program}" argument ${arg?.raw} is only known at run time and could be -c; write it literally`);
    }
    if (value === "--" || value === "-") {
      index++;
      fromStdin = value === "-";
      break;
    }
    if (value.startsWith("--")) {
      index += value === "--rcfile" || value === "--init-file" ? 2 : 1;
      continue;
    }
    if (!/^[-+]./.test(value)) break;
    index++;
    for (const letter of value.slice(1)) {
      if (letter === "c") command = true;
      else if (letter === "s") fromStdin = true;
      else if (letter === "o" || letter === "O") index++;
    }
  }
  const operand = args[index];
  if (command) {
    if (operand === undefined) {
      if (invocation.tailFromInput) {
        deny(`"xargs ${program} -c" would run a script read from its input, which the policy cannot check`);
      }
      return;
    }
    if (operand.fromInput) {
      deny(
        `the "${program} -c" script ${operand.raw} has input pasted into it, which could inject commands; pass the input as an argument instead (${program} -c '… "$1"' _ {})`,
      );
    }
    if (operand.value === undefined) {
      deny(
        `the "${program} -c" script ${operand.raw} is only known at run time, so the policy cannot check it; pass a literal script`,
      );
    }
    judge.judgeScript(operand.value, invocation.stdin, `the "${program} -c" script`);
    return;
  }
  if (fromStdin || operand === undefined) {
    readsProgramFromStdin(invocation, judge, true);
    return;
  }
  if (operand.value === undefined) {
    deny(
      `"${program}" would run a script only known at run time (${operand.raw}); name the script file literally`,
    );
  }
  if (ProjectPaths.isStdinPath(operand.value)) readsProgramFromStdin(invocation, judge, true);
  else if (ProjectPaths.isDescriptorPath(operand.value)) deny(descriptorScriptReason(program, operand.value));
};

/** How an interpreter takes inline code, values and modules. */
interface InterpreterSpec {
  /** Short options whose value is code to run. */
  readonly inlineShort?: string;
  /** Long options (without `--`) whose value is code to run. */
  readonly inlineLong?: readonly string[];
  /** Short options taking a value (rest of the cluster or the next argument). */
  readonly valueShort?: string;
  /** Short options taking only an attached value (`perl -i.bak`). */
  readonly attachedShort?: string;
  /** Long options taking the next argument as value. */
  readonly valueLong?: readonly string[];
  /** Short option running a module by name (`python -m pytest`): allowed. */
  readonly moduleShort?: string;
  /** Options that make a script unnecessary (`--version`, `node --test`). */
  readonly noScript?: readonly string[];
  /** Subcommands before the script (`tsx watch file.ts`, `deno run file.ts`). */
  readonly passSubcommands?: readonly string[];
  /** Subcommands whose operand is inline code (`deno eval`). */
  readonly inlineSubcommands?: readonly string[];
  /** Subcommands that need no script (`deno test`, `bun install`). */
  readonly otherSubcommands?: readonly string[];
}

const information = ["--version", "-v", "-V", "--help", "-h"];

function interpreter(spec: InterpreterSpec): ProgramRule {
  const inlineLong = new Set((spec.inlineLong ?? []).map((name) => `--${name}`));
  const valueLong = new Set((spec.valueLong ?? []).map((name) => `--${name}`));
  const noScript = new Set([...information, ...(spec.noScript ?? [])]);
  return (invocation, judge) => {
    const program = programName(invocation);
    const args = argumentsOf(invocation);
    let index = 0;
    let fromStdin = false;
    let noScriptNeeded = false;
    let inline: string | undefined;
    options: while (index < args.length) {
      const arg = args[index];
      const value = arg?.value;
      if (value === undefined) {
        deny(
          `"${program}" argument ${arg?.raw} is only known at run time and could be an option that runs code; write it literally`,
        );
      }
      if (index === 0 && spec.passSubcommands?.includes(value)) {
        index++;
        continue;
      }
      if (index === 0 && spec.inlineSubcommands?.includes(value)) {
        inline = `"${program} ${value}"`;
        break;
      }
      if (index === 0 && spec.otherSubcommands?.includes(value)) return;
      if (value === "--" || value === "-") {
        index++;
        fromStdin = value === "-";
        break;
      }
      if (value.startsWith("--")) {
        const name = value.includes("=") ? value.slice(0, value.indexOf("=")) : value;
        if (inlineLong.has(name)) {
          inline = `"${program} ${name}"`;
          break;
        }
        if (noScript.has(name)) noScriptNeeded = true;
        index += valueLong.has(name) && !value.includes("=") ? 2 : 1;
        continue;
      }
      if (!value.startsWith("-") || value.length === 1) break;
      if (noScript.has(value)) noScriptNeeded = true;
      index++;
      for (let letter = 1; letter < value.length; letter++) {
        const c = value[letter] as string;
        if (spec.inlineShort?.includes(c)) {
          inline = `"${program} -${c}"`;
          break options;
        }
        if (spec.moduleShort?.includes(c)) return;
        if (spec.attachedShort?.includes(c)) break;
        if (spec.valueShort?.includes(c)) {
          if (letter === value.length - 1) index++;
          break;
        }
      }
    }
    if (inline !== undefined) {
      for (const arg of args.slice(Math.max(0, index - 1))) {
        rejectCredentialMention(judge, arg.value ?? arg.raw, `the code of ${inline}`);
      }
      if (!judge.inlineCodeAllowed(program)) deny(inlineCodeReason(program, inline));
      return;
    }
    const script = args[index];
    if (script === undefined && !fromStdin) {
      if (noScriptNeeded) return;
      readsProgramFromStdin(invocation, judge, false);
      return;
    }
    if (fromStdin || script === undefined) {
      readsProgramFromStdin(invocation, judge, false);
      return;
    }
    if (script.value === undefined) {
      deny(
        `"${program}" would run a script only known at run time (${script.raw}); name the script file literally`,
      );
    }
    if (ProjectPaths.isStdinPath(script.value)) readsProgramFromStdin(invocation, judge, false);
    else if (ProjectPaths.isDescriptorPath(script.value)) deny(descriptorScriptReason(program, script.value));
  };
}

const python = interpreter({ inlineShort: "c", valueShort: "WX", moduleShort: "m" });
const node = interpreter({
  inlineShort: "ep",
  inlineLong: ["eval", "print"],
  valueShort: "rC",
  valueLong: [
    "require",
    "import",
    "loader",
    "experimental-loader",
    "conditions",
    "input-type",
    "title",
    "run",
  ],
  noScript: ["--test", "--run", "--v8-options"],
});
const typescriptRunner = interpreter({
  inlineShort: "ep",
  inlineLong: ["eval", "print"],
  valueShort: "rPCO",
  valueLong: ["require", "project", "compiler", "compiler-options", "tsconfig", "import"],
  passSubcommands: ["watch"],
});

/** Rules for shells and interpreters, by program name. */
export const interpreterRules: ReadonlyMap<string, ProgramRule> = new Map<string, ProgramRule>([
  ["sh", shell],
  ["bash", shell],
  ["dash", shell],
  ["zsh", shell],
  ["ksh", shell],
  ["mksh", shell],
  ["fish", shell],
  ["python", python],
  ["python3", python],
  ["node", node],
  ["tsx", typescriptRunner],
  ["ts-node", typescriptRunner],
  ["perl", interpreter({ inlineShort: "eE", attachedShort: "0CdDilmMxV", valueShort: "I" })],
  ["ruby", interpreter({ inlineShort: "e", valueShort: "rICEF" })],
  ["php", interpreter({ inlineShort: "rBRE", valueShort: "cdz" })],
  ["lua", interpreter({ inlineShort: "e", valueShort: "l" })],
  ["Rscript", interpreter({ inlineShort: "e" })],
  ["osascript", interpreter({ inlineShort: "e" })],
  [
    "bun",
    interpreter({
      inlineShort: "ep",
      inlineLong: ["eval", "print"],
      passSubcommands: ["run"],
      otherSubcommands: ["test", "install", "add", "remove", "build", "init", "create", "pm", "upgrade"],
    }),
  ],
  [
    "deno",
    interpreter({
      passSubcommands: ["run"],
      inlineSubcommands: ["eval"],
      otherSubcommands: [
        "test",
        "fmt",
        "lint",
        "check",
        "task",
        "install",
        "cache",
        "compile",
        "bench",
        "info",
      ],
    }),
  ],
]);
