/**
 * Rules for programs that run other programs or shell code (`xargs`, `env`, `nice`, `timeout`, `eval`, `trap` …),
 * for `kill`, and for `cd`.
 */
import { deny, type ProgramRule } from "./judge-types.ts";
import { hasOption, type OptionSpec, optionValues, scanOptions } from "./option-scanner.ts";
import { ProjectPaths } from "./project-paths.ts";
import {
  argumentsOf,
  checkWrites,
  programName,
  rejectInputTail,
  rejectUnknownOptions,
  wrappedInvocation,
} from "./rule-helpers.ts";
import { descriptorScriptReason, readsProgramFromStdin } from "./rules-interpreters.ts";
import { type Arg, unknownArg } from "./words.ts";

/** Judges the command a wrapper runs: the operands after its options. */
function runsOperands(spec: OptionSpec, skipOperands = 0, check?: ProgramRule): ProgramRule {
  return (invocation, judge) => {
    const name = programName(invocation);
    const scanned = scanOptions(argumentsOf(invocation), { ...spec, stopAtOperand: true });
    rejectUnknownOptions(scanned, name);
    check?.(invocation, judge);
    const command = scanned.operands.slice(skipOperands);
    if (command.length === 0) {
      rejectInputTail(invocation, "a command");
      return;
    }
    judge.judgeInvocation(wrappedInvocation(invocation, command));
  };
}

const xargs: ProgramRule = (invocation, judge) => {
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "adEILnPs",
    shortAttached: "eil",
    longValue: ["arg-file", "delimiter", "max-args", "max-procs", "max-chars", "process-slot-var"],
    stopAtOperand: true,
  });
  rejectUnknownOptions(scanned, "xargs");
  let replace: string | undefined;
  for (const option of scanned.options) {
    if (option.name === "-I") replace = option.value?.value;
    else if (option.name === "-i" || option.name === "--replace") replace = option.value?.value ?? "{}";
  }
  if (scanned.operands.length === 0) return;
  const argv = scanned.operands.map((arg): Arg => {
    if (replace !== undefined && replace !== "" && arg.value?.includes(replace))
      return unknownArg(arg.raw, true);
    return arg;
  });
  judge.judgeInvocation({ argv, tailFromInput: replace === undefined, stdin: { kind: "none" } });
};

const env: ProgramRule = (invocation, judge) => {
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "uCSP",
    longValue: ["unset", "chdir", "split-string"],
    stopAtOperand: true,
  });
  rejectUnknownOptions(scanned, "env");
  if (hasOption(scanned, "-S", "--split-string")) {
    deny(`"env -S" splits a string into a command the policy cannot see; write the command directly`);
  }
  for (const directory of optionValues(scanned, "-C", "--chdir")) {
    const problem = directory && judge.paths.directoryProblem(directory, (path) => `env -C ${path}`);
    if (problem) deny(problem);
  }
  const operands = [...scanned.operands];
  while (operands[0]?.value !== undefined && /^[A-Za-z_][A-Za-z0-9_]*=/.test(operands[0].value)) {
    const assignment = operands.shift() as Arg;
    const value = assignment.value as string;
    const equals = value.indexOf("=");
    judge.judgeAssignment(value.slice(0, equals), { ...assignment, value: value.slice(equals + 1) });
  }
  if (operands[0]?.value === undefined && operands[0] !== undefined) {
    deny(`"env" runs ${operands[0].raw}, which is only known at run time; write the program name literally`);
  }
  if (operands.length === 0) {
    rejectInputTail(invocation, "a command");
    return;
  }
  judge.judgeInvocation(wrappedInvocation(invocation, operands));
};

const nice: ProgramRule = (invocation, judge) => {
  const args = argumentsOf(invocation).filter(
    (arg, index) => !(index === 0 && /^-\d+$/.test(arg.value ?? "")),
  );
  runsOperands({ shortValue: "n", longValue: ["adjustment"] })(
    { ...invocation, argv: [invocation.argv[0] as Arg, ...args] },
    judge,
  );
};

const time: ProgramRule = runsOperands(
  { shortValue: "fo", longValue: ["format", "output"] },
  0,
  (invocation, judge) => {
    const scanned = scanOptions(argumentsOf(invocation), {
      shortValue: "fo",
      longValue: ["format", "output"],
      stopAtOperand: true,
    });
    checkWrites(optionValues(scanned, "-o", "--output"), "time", judge);
  },
);

const command: ProgramRule = (invocation, judge) => {
  const scanned = scanOptions(argumentsOf(invocation), { stopAtOperand: true });
  if (hasOption(scanned, "-v", "-V")) return;
  runsOperands({})(invocation, judge);
};

/** PIDs must be literal, and every one must belong to this session (or be `$!` or a job `%N`). */
const kill: ProgramRule = (invocation, judge) => {
  rejectInputTail(invocation, "PIDs");
  const args = argumentsOf(invocation);
  let index = 0;
  const first = args[0]?.value;
  if (first === "-l" || first === "-L" || first === "--list" || first === "--table") return;
  if (first === "-s" || first === "-n" || first === "--signal") index = 2;
  else if (first?.startsWith("--signal=")) index = 1;
  else if (first?.startsWith("-") && first !== "--") index = 1;
  if (args[index]?.value === "--") index++;
  const targets = args.slice(index);
  if (targets.length === 0) return;
  for (const target of targets) {
    if (target.lastJobPid) continue;
    const value = target.value;
    if (value === undefined) {
      deny(
        `"kill ${target.raw}" names its process only at run time; kill literal PIDs of processes this session started`,
      );
    }
    if (/^%/.test(value)) continue;
    if (!/^\d+$/.test(value) || Number(value) === 0) {
      deny(
        `"kill ${value}" targets a process group or every process; kill single PIDs of processes this session started`,
      );
    }
    if (!judge.ownedPids.has(Number(value))) {
      deny(
        `"kill ${value}" targets PID ${value}, which this session did not start; only processes the session started may be killed`,
      );
    }
  }
};

function changesDirectory(program: string): ProgramRule {
  return (invocation, judge) => {
    const operands = argumentsOf(invocation).filter(
      (arg) => arg.value === undefined || !/^-[LPe@n]+$/.test(arg.value),
    );
    const target = operands[0];
    if (target === undefined) {
      if (program === "pushd") return;
      deny(
        `"cd" without a directory goes to the home directory, outside the project; cd to a directory inside it`,
      );
    }
    if (target.value === "-")
      deny(`"${program} -" returns to a directory the policy cannot see; name the directory`);
    if (program === "pushd" && target.value !== undefined && /^[+-]\d+$/.test(target.value)) return;
    const problem = judge.paths.directoryProblem(target, (path) => `${program} ${path}`);
    if (problem) deny(problem);
  };
}

const evalRule: ProgramRule = (invocation, judge) => {
  rejectInputTail(invocation, "code");
  const args = argumentsOf(invocation);
  const unknown = args.find((arg) => arg.value === undefined || arg.fromInput);
  if (unknown !== undefined) {
    deny(`eval ${unknown.raw} runs code only known at run time; run the command directly instead`);
  }
  judge.judgeScript(args.map((arg) => arg.value).join(" "), invocation.stdin, `"eval"`);
};

const trap: ProgramRule = (invocation, judge) => {
  const operands = argumentsOf(invocation).filter(
    (arg, index) => !(index === 0 && (arg.value === "-p" || arg.value === "-l" || arg.value === "--")),
  );
  const action = operands[0];
  if (action === undefined || operands.length < 2 || action.value === "-" || action.value === "") return;
  if (action.value === undefined) {
    deny(`"trap ${action.raw}" runs code only known at run time; write the trap's command literally`);
  }
  judge.judgeScript(action.value, { kind: "none" }, `"trap"`);
};

const source: ProgramRule = (invocation, judge) => {
  rejectInputTail(invocation, "a script");
  const script = argumentsOf(invocation)[0];
  if (script === undefined) return;
  if (script.value === undefined) {
    deny(
      `"${programName(invocation)} ${script.raw}" runs a script only known at run time; name the script file literally`,
    );
  }
  if (ProjectPaths.isStdinPath(script.value)) readsProgramFromStdin(invocation, judge, true);
  else if (ProjectPaths.isDescriptorPath(script.value)) {
    deny(descriptorScriptReason(programName(invocation), script.value));
  }
};

const hash: ProgramRule = (invocation) => {
  if (argumentsOf(invocation).some((arg) => arg.value === undefined || /^-\w*p/.test(arg.value))) {
    deny(`"hash -p" makes a name run another program; call the program by its own name`);
  }
};

const rg: ProgramRule = (invocation) => {
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "ABCegfjmMrtTEd",
    longValue: ["pre", "pre-glob", "regexp", "file", "glob", "iglob", "type", "type-not", "replace"],
  });
  if (hasOption(scanned, "--pre")) deny(`"rg --pre" runs a program on every file; search without it`);
};

const make: ProgramRule = (invocation, judge) => {
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "CfIjloWE",
    longValue: ["directory", "file", "makefile", "include-dir", "jobs", "load-average", "old-file", "eval"],
  });
  for (const directory of optionValues(scanned, "-C", "--directory")) {
    const problem = directory && judge.paths.directoryProblem(directory, (path) => `make -C ${path}`);
    if (problem) deny(problem);
  }
  const inline =
    hasOption(scanned, "-E", "--eval") ||
    optionValues(scanned, "-f", "--file", "--makefile").some(
      (file) =>
        file?.value === undefined ||
        file.value === "-" ||
        ProjectPaths.isStdinPath(file.value) ||
        ProjectPaths.isDescriptorPath(file.value),
    );
  if (inline && !judge.inlineCodeAllowed("make")) {
    deny(
      `"make" with --eval or a makefile from input runs inline code; write a Makefile in the project, or add make to allowInlineCode in .autowright/commands.yaml`,
    );
  }
};

/** `cargo install` and `go install` write binaries to the home directory. */
function deniesInstall(program: string): ProgramRule {
  return (invocation) => {
    const subcommand = argumentsOf(invocation).find((arg) => !arg.value?.startsWith("-"));
    if (subcommand?.value === undefined && subcommand !== undefined) {
      deny(`"${program}" subcommand ${subcommand.raw} is only known at run time; write it literally`);
    }
    if (subcommand?.value === "install") {
      deny(`"${program} install" installs programs outside the project; use project-local dependencies`);
    }
  };
}

/** Rules for wrappers, shell builtins that run code, kill and cd, by program name. */
export const wrapperRules: ReadonlyMap<string, ProgramRule> = new Map<string, ProgramRule>([
  ["xargs", xargs],
  ["env", env],
  ["nice", nice],
  ["nohup", runsOperands({})],
  ["timeout", runsOperands({ shortValue: "sk", longValue: ["signal", "kill-after"] }, 1)],
  ["stdbuf", runsOperands({ shortValue: "ioe", longValue: ["input", "output", "error"] })],
  ["time", time],
  ["command", command],
  ["builtin", runsOperands({})],
  ["exec", runsOperands({ shortValue: "a" })],
  ["kill", kill],
  ["cd", changesDirectory("cd")],
  ["pushd", changesDirectory("pushd")],
  ["eval", evalRule],
  ["trap", trap],
  ["source", source],
  [".", source],
  ["hash", hash],
  ["rg", rg],
  ["make", make],
  ["cargo", deniesInstall("cargo")],
  ["go", deniesInstall("go")],
]);
