/**
 * The policy engine: walks the syntax tree of a command and judges every simple command that can run — in pipes,
 * lists, subshells, blocks, conditions and loop bodies, functions, command and process substitutions (in
 * arguments, assignments, redirections and here-documents), and the scripts other commands run (`sh -c`, `eval`,
 * `xargs`, `find -exec` …) — plus every redirection and environment assignment. The first problem found denies
 * the whole command.
 */

import { posix } from "node:path";
import { deniedVariableReason, directoryVariables, isCommandVariable } from "./environment.ts";
import { Denial, deny, type Invocation, type Judge, type Stdin } from "./judge-types.ts";
import { programRules } from "./program-rules.ts";
import { canonicalProgram, downloadPrograms, hardDenialOf, notBuiltinReasons } from "./programs.ts";
import type { ProjectPaths } from "./project-paths.ts";
import { isLoopbackHost } from "./rules-network.ts";
import type {
  Assign,
  BinaryCmd,
  CallExpr,
  DeclClause,
  File,
  FuncDecl,
  Lit,
  ProcSubst,
  Redirect,
  ShellNode,
  Stmt,
  Word,
} from "./shell-ast.ts";
import { walkAll, walkBelow } from "./shell-ast.ts";
import { nodeType, parseShell, type ShellSource } from "./shell-syntax.ts";
import { type Arg, expandWord, expandWords, removeHeredocEscapes } from "./words.ts";

/** The decision on one command. */
export interface PolicyDecision {
  readonly decision: "allow" | "deny";
  /** One sentence: for a denial, what is wrong and what to do instead; for an allowance, what runs. */
  readonly reason: string;
}

/** The merged configuration a judgement runs against. */
export interface PolicyRules {
  readonly paths: ProjectPaths;
  /** Allowed program names (built in plus configured), before denials. */
  readonly allowed: ReadonlySet<string>;
  /** Denied program names, with the file that denied each. */
  readonly denied: ReadonlyMap<string, string>;
  /** Interpreters whose inline code is allowed. */
  readonly inlineCode: ReadonlySet<string>;
}

/** How deeply scripts may nest (`sh -c "sh -c '…'"`) before the command is denied. */
const maxDepth = 8;

const pipeOps = new Set([12, 13]);
const redirectOps = {
  output: new Set([54, 55, 60, 64, 65]),
  readWrite: 57,
  input: 56,
  duplicateInput: 58,
  duplicateOutput: 59,
  heredoc: new Set([61, 62]),
  herestring: 63,
};

interface Scope {
  readonly source: ShellSource;
  readonly stdin: Stdin;
  readonly functions: ReadonlySet<string>;
}

const noFunctions: ReadonlySet<string> = new Set();

/** Judges one command line against `rules`. Never throws. */
export function judgeCommand(
  rules: PolicyRules,
  command: string,
  ownedPids: ReadonlySet<number>,
): PolicyDecision {
  const judgement = new Judgement(rules, ownedPids);
  try {
    if (command.trim() === "") deny("the command is empty");
    judgement.judgeScript(command, { kind: "none" }, "the command");
  } catch (error) {
    if (error instanceof Denial) return { decision: "deny", reason: error.message };
    const message = error instanceof Error ? error.message : String(error);
    return { decision: "deny", reason: `the command could not be judged (${message}); simplify it` };
  }
  const programs = [...judgement.programs];
  return {
    decision: "allow",
    reason: programs.length === 0 ? "allowed: runs no program" : `allowed: ${programs.join(", ")}`,
  };
}

class Judgement implements Judge {
  readonly programs = new Set<string>();
  readonly #rules: PolicyRules;
  readonly ownedPids: ReadonlySet<number>;
  #depth = 0;

  constructor(rules: PolicyRules, ownedPids: ReadonlySet<number>) {
    this.#rules = rules;
    this.ownedPids = ownedPids;
  }

  get paths(): ProjectPaths {
    return this.#rules.paths;
  }

  inlineCodeAllowed(program: string): boolean {
    const inline = this.#rules.inlineCode;
    return (inline.has(program) || inline.has(canonicalProgram(program))) && this.programAllowed(program);
  }

  programAllowed(program: string): boolean {
    const canonical = canonicalProgram(program);
    if (hardDenialOf(program) !== undefined) return false;
    if (this.#rules.denied.has(program) || this.#rules.denied.has(canonical)) return false;
    return this.#rules.allowed.has(program) || this.#rules.allowed.has(canonical);
  }

  judgeScript(text: string, stdin: Stdin, label: string): void {
    if (this.#depth >= maxDepth)
      deny(`${label} nests scripts more than ${maxDepth} levels deep; simplify it`);
    const parsed = parseShell(text);
    if (!parsed.ok) deny(`${label} could not be parsed (${parsed.message}); fix its quoting or syntax`);
    this.#depth++;
    try {
      this.#file(parsed.file, parsed.source, stdin);
    } finally {
      this.#depth--;
    }
  }

  judgeInvocation(invocation: Invocation): void {
    this.#invocation(invocation, noFunctions);
  }

  judgeAssignment(name: string, value: Arg | undefined): void {
    const denied = deniedVariableReason(name);
    if (denied !== undefined) deny(`setting ${name} is not allowed: it ${denied}`);
    if (value !== undefined) {
      const problem = this.paths.readProblem(value, `"${name}=${value.raw}"`);
      if (problem !== undefined) deny(problem);
    }
    if (directoryVariables.has(name) && value !== undefined) {
      const problem = this.paths.directoryProblem(value, (path) => `${name}=${path}`);
      if (problem !== undefined) deny(problem);
    }
    if (isCommandVariable(name)) {
      if (value?.value === undefined) {
        deny(
          `${name} names a command only known at run time; set it to a literal command such as cat or true`,
        );
      }
      this.judgeScript(value.value, { kind: "none" }, `the command in ${name}`);
    }
  }

  #file(file: File, source: ShellSource, stdin: Stdin): void {
    const functions = new Set<string>();
    walkAll(file, (node) => {
      const type = nodeType(node);
      if (type === "FuncDecl") functions.add((node as FuncDecl).Name.Value);
      else if (type === "Word") {
        // Bash runs command substitutions inside array subscripts when it evaluates a string arithmetically
        // (`x='a[$(id)]'; echo $((x))`, `[[ -v 'a[$(id)]' ]]`), so literal text of that shape is code in disguise.
        for (const arg of expandWord(node as Word, source, false)) {
          if (arg.value !== undefined && /\[[^\]]*(\$\(|`)/.test(arg.value)) {
            deny(
              `${arg.raw} looks like an array subscript holding a command substitution, which bash may run when it evaluates it; run the command directly`,
            );
          }
        }
      }
      return true;
    });
    const scope: Scope = { source, stdin, functions };
    for (const stmt of file.Stmts) this.#stmt(stmt, scope);
  }

  #stmt(stmt: Stmt, scope: Scope): void {
    let stdin = scope.stdin;
    for (const redirect of stmt.Redirs) stdin = this.#redirect(redirect, scope) ?? stdin;
    const command = stmt.Cmd;
    if (command === null) return;
    const inner: Scope = { ...scope, stdin };
    switch (nodeType(command)) {
      case "CallExpr":
        this.#call(command as CallExpr, inner);
        return;
      case "BinaryCmd": {
        const binary = command as BinaryCmd;
        if (pipeOps.has(binary.Op)) {
          const downloads = this.#containsDownload(binary.X, scope.source);
          const reader: Scope = { ...inner, stdin: { kind: "pipe", downloads } };
          try {
            this.#stmt(binary.X, inner);
          } catch (error) {
            // "curl … | sh": the pipe into sh is the graver problem, so report it rather than the download.
            if (downloads) this.#stmt(binary.Y, reader);
            throw error;
          }
          this.#stmt(binary.Y, reader);
        } else {
          this.#stmt(binary.X, inner);
          this.#stmt(binary.Y, inner);
        }
        return;
      }
      case "DeclClause":
        this.#declaration(command as DeclClause, inner);
        return;
      case "FuncDecl":
      case "CoprocClause":
        // A function body reads whatever its caller pipes in; a coprocess reads from the script.
        this.#nested(command, { ...inner, stdin: { kind: "pipe", downloads: false } });
        return;
      default:
        this.#nested(command, inner);
    }
  }

  /** Judges every statement nested below `node` (bodies, command and process substitutions). */
  #nested(node: ShellNode, scope: Scope): void {
    walkBelow(node, (child) => {
      const type = nodeType(child);
      if (type === "Stmt") {
        this.#stmt(child as Stmt, scope);
        return false;
      }
      if (type === "ProcSubst") {
        for (const stmt of (child as ProcSubst).Stmts)
          this.#stmt(stmt, { ...scope, stdin: { kind: "pipe", downloads: false } });
        return false;
      }
      return true;
    });
  }

  #containsDownload(stmt: Stmt, source: ShellSource): boolean {
    let found = false;
    walkAll(stmt, (node) => {
      if (found) return false;
      if (nodeType(node) === "Word") {
        const value = expandWord(node as Word, source, false)[0]?.value;
        if (value !== undefined && downloadPrograms.has(posix.basename(value))) found = true;
        return false;
      }
      return true;
    });
    return found;
  }

  /** Checks a redirection; returns the new standard input when it redirects it. */
  #redirect(redirect: Redirect, scope: Scope): Stdin | undefined {
    const word = redirect.Word;
    if (word !== null) this.#nested(word, scope);
    if (redirect.Hdoc !== null) this.#nested(redirect.Hdoc, scope);
    const op = redirect.Op;
    const fd = redirect.N?.Value;
    const targets = word === null ? [] : expandWord(word, scope.source);
    const target = targets[0];
    const socket = target?.value === undefined ? null : /^\/dev\/(tcp|udp)\/([^/]+)\//.exec(target.value);
    if (socket !== null && !isLoopbackHost(socket[2] as string)) {
      deny(
        `redirection to ${target?.value} is network access outside localhost; only localhost may be reached`,
      );
    }
    if (op !== redirectOps.herestring && !redirectOps.heredoc.has(op)) {
      for (const each of targets) {
        const problem = this.paths.readProblem(each, "redirection");
        if (problem !== undefined) deny(problem);
      }
    }
    const checkTargets = (): void => {
      for (const each of targets) {
        const problem = this.paths.writeProblem(each, "redirection");
        if (problem !== undefined) deny(problem);
      }
    };
    if (redirectOps.output.has(op)) {
      checkTargets();
      return undefined;
    }
    const readsStdin = fd === undefined || fd === "0";
    if (op === redirectOps.readWrite) {
      checkTargets();
      return readsStdin && target !== undefined ? { kind: "file", path: target } : undefined;
    }
    if (op === redirectOps.duplicateOutput || op === redirectOps.duplicateInput) {
      const value = target?.value;
      if (value === undefined)
        deny(
          `redirection to ${target?.raw ?? "a descriptor"} is only known at run time; redirect to a literal path inside the project`,
        );
      if (/^(\d+-?|-)$/.test(value)) {
        return op === redirectOps.duplicateInput && readsStdin
          ? { kind: "pipe", downloads: false }
          : undefined;
      }
      if (op === redirectOps.duplicateOutput) checkTargets();
      return undefined;
    }
    if (!readsStdin) return undefined;
    if (op === redirectOps.input) return target === undefined ? undefined : { kind: "file", path: target };
    if (op === redirectOps.herestring) {
      const text = word === null ? undefined : expandWord(word, scope.source, false)[0]?.value;
      return { kind: "text", text: text === undefined ? undefined : `${text}\n` };
    }
    if (redirectOps.heredoc.has(op)) return { kind: "text", text: this.#heredocText(redirect) };
    return undefined;
  }

  #heredocText(redirect: Redirect): string | undefined {
    const body = redirect.Hdoc;
    if (body === null) return "";
    const parts = body.Parts;
    if (!parts.every((part) => nodeType(part) === "Lit")) return undefined;
    const text = parts.map((part) => (part as Lit).Value).join("");
    const delimiter = redirect.Word;
    const quoted = delimiter?.Parts.some(
      (part) => nodeType(part) !== "Lit" || (part as Lit).Value.includes("\\"),
    );
    return quoted === true ? text : removeHeredocEscapes(text);
  }

  #call(call: CallExpr, scope: Scope): void {
    for (const assign of call.Assigns) {
      this.#nested(assign, scope);
      this.#assignment(assign, scope);
    }
    for (const word of call.Args) this.#nested(word, scope);
    if (call.Args.length === 0) return;
    this.#invocation(
      { argv: expandWords(call.Args, scope.source), tailFromInput: false, stdin: scope.stdin },
      scope.functions,
    );
  }

  #assignment(assign: Assign, scope: Scope): void {
    const name = assign.Name?.Value;
    if (name === undefined) return;
    const value = assign.Value === null ? undefined : expandWord(assign.Value, scope.source, false)[0];
    if (assign.Value === null && assign.Array === null && assign.Naked) return;
    this.judgeAssignment(name, value);
  }

  #declaration(declaration: DeclClause, scope: Scope): void {
    this.#nested(declaration, scope);
    this.programs.add(declaration.Variant.Value);
    for (const assign of declaration.Args) this.#assignment(assign, scope);
  }

  #invocation(invocation: Invocation, functions: ReadonlySet<string>): void {
    const program = invocation.argv[0];
    if (program === undefined) {
      if (invocation.tailFromInput)
        deny(
          `the program to run would be read from the input, which the policy cannot check; name it literally`,
        );
      return;
    }
    if (program.fromInput) {
      deny(
        `the program name ${program.raw} comes from the input, which the policy cannot check; name the program literally`,
      );
    }
    if (program.value === undefined) {
      deny(`the program name ${program.raw} is only known at run time; write the program name literally`);
    }
    if (program.glob)
      deny(`the program name ${program.raw} is a wildcard pattern; write the program name literally`);
    if (program.value === "") deny(`an empty program name cannot be run; write the program name literally`);
    let name = program.value;
    const base = posix.basename(name);
    const hard = hardDenialOf(base);
    if (hard !== undefined) deny(`"${base}" is not allowed: ${hard}`);
    for (const arg of invocation.argv) {
      const problem = this.paths.readProblem(arg, `"${base}"`);
      if (problem !== undefined) deny(problem);
    }
    if (name.includes("/")) {
      if (!program.tilde && this.paths.isInside(this.paths.resolve(name))) {
        this.programs.add(name);
        return;
      }
      name = base;
    }
    if (functions.has(name)) {
      this.programs.add(name);
      return;
    }
    const canonical = canonicalProgram(name);
    const deniedBy = this.#rules.denied.get(name) ?? this.#rules.denied.get(canonical);
    if (deniedBy !== undefined)
      deny(`"${name}" is denied by ${deniedBy}; do without it or ask the user to allow it`);
    if (!this.programAllowed(name)) {
      const why = notBuiltinReasons.get(name);
      if (why !== undefined) {
        deny(
          `"${name}" is not allowed by default because ${why}; add it to allow in .autowright/commands.yaml if the project needs it`,
        );
      }
      deny(
        `"${name}" is not in the allowlist; add it to .autowright/commands.yaml (allow: [${name}]) if the project needs it`,
      );
    }
    this.programs.add(name);
    const rule = programRules.get(name) ?? programRules.get(canonical);
    rule?.(invocation, this);
  }
}
