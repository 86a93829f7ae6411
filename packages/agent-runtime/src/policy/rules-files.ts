/** Rules for programs that write, move or delete files, and for sed, awk and find. */
import { posix } from "node:path";
import { deny, type ProgramRule } from "./judge-types.ts";
import { hasOption, type OptionSpec, optionValues, scanOptions } from "./option-scanner.ts";
import {
  argumentsOf,
  checkWrites,
  programName,
  rejectInputTail,
  rejectUnknownOptions,
} from "./rule-helpers.ts";
import { rejectCredentialMention } from "./rules-interpreters.ts";
import { scanAwkProgram, scanSedScript } from "./script-languages.ts";
import { type Arg, literalArg, unknownArg } from "./words.ts";

/** A program whose operands are all paths it writes (creates, changes or deletes). */
function writesOperands(spec: OptionSpec): ProgramRule {
  return (invocation, judge) => {
    const scanned = scanOptions(argumentsOf(invocation), spec);
    rejectInputTail(invocation, "paths");
    checkWrites(scanned.operands, programName(invocation), judge);
  };
}

const rm: ProgramRule = (invocation, judge) => {
  writesOperands({})(invocation, judge);
  for (const operand of scanOptions(argumentsOf(invocation), {}).operands) {
    if (operand.value !== undefined && judge.paths.isRoot(judge.paths.resolve(operand.value))) {
      deny(
        `"${programName(invocation)} ${operand.raw}" would delete the whole project; delete what is inside it by name`,
      );
    }
  }
};

const chmodOptions = new Set([
  "-R",
  "-v",
  "-c",
  "-f",
  "--recursive",
  "--verbose",
  "--changes",
  "--silent",
  "--quiet",
]);

/** chmod, chown, chgrp: the first operand is the mode or owner unless `--reference` gives it. */
function changesAttributes(modeMayBeOption: boolean): ProgramRule {
  return (invocation, judge) => {
    const name = programName(invocation);
    const scanned = scanOptions(argumentsOf(invocation), { longValue: ["from"] });
    rejectInputTail(invocation, "paths");
    const modeAsOption =
      modeMayBeOption &&
      scanned.options.some(
        (option) =>
          !chmodOptions.has(option.name) && !option.name.startsWith("--") && option.value === undefined,
      );
    const paths =
      hasOption(scanned, "--reference") || modeAsOption ? scanned.operands : scanned.operands.slice(1);
    checkWrites(paths, name, judge);
  };
}

/** cp and mv: the destination is `-t DIR` or the last operand; mv also removes its sources. */
function copiesOrMoves(removesSources: boolean): ProgramRule {
  return (invocation, judge) => {
    const name = programName(invocation);
    const scanned = scanOptions(argumentsOf(invocation), {
      shortValue: "St",
      longValue: ["target-directory", "suffix"],
    });
    const target = optionValues(scanned, "-t", "--target-directory")[0];
    if (target === undefined) rejectInputTail(invocation, "paths");
    else if (removesSources) rejectInputTail(invocation, "paths to move");
    const destination = target ?? scanned.operands[scanned.operands.length - 1];
    checkWrites([destination], name, judge);
    if (removesSources) checkWrites(scanned.operands, name, judge);
  };
}

const ln: ProgramRule = (invocation, judge) => {
  const name = programName(invocation);
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "St",
    longValue: ["target-directory", "suffix"],
  });
  rejectInputTail(invocation, "paths");
  const directory = optionValues(scanned, "-t", "--target-directory")[0];
  checkWrites([...scanned.operands, directory], name, judge);
  const symbolic = hasOption(scanned, "-s", "--symbolic");
  if (symbolic && directory === undefined && scanned.operands.length >= 2) {
    const [target, link] = [scanned.operands[0], scanned.operands[scanned.operands.length - 1]];
    if (target?.value !== undefined && link?.value !== undefined && !target.value.startsWith("/")) {
      const resolved = posix.resolve(posix.dirname(judge.paths.resolve(link.value)), target.value);
      if (!judge.paths.isInside(resolved)) {
        deny(
          `"${name}" would link to ${resolved}, which is outside the project; link only to paths inside it`,
        );
      }
    }
  }
};

const sed: ProgramRule = (invocation, judge) => {
  const name = programName(invocation);
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "efl",
    shortAttached: "i",
    longValue: ["expression", "file", "line-length"],
  });
  rejectUnknownOptions(scanned, name);
  const expressions = optionValues(scanned, "-e", "--expression");
  const scriptFiles = optionValues(scanned, "-f", "--file");
  const usesOptions = expressions.length > 0 || scriptFiles.length > 0;
  const scripts = usesOptions ? expressions : scanned.operands.slice(0, 1);
  const files = usesOptions ? scanned.operands : scanned.operands.slice(1);
  for (const script of scripts) {
    if (script === undefined) continue;
    if (script.value === undefined) {
      deny(`the "${name}" script ${script.raw} is only known at run time; write the script literally`);
    }
    rejectCredentialMention(judge, script.value, `the "${name}" script`);
    const findings = scanSedScript(script.value);
    if (findings.executes) {
      deny(`"${name}" with the e command or flag runs shell commands; run those commands directly instead`);
    }
    checkWrites(
      findings.writes.map((path) => literalArg(path)),
      name,
      judge,
    );
  }
  if (hasOption(scanned, "-i", "--in-place")) {
    rejectInputTail(invocation, "files to edit in place");
    checkWrites(files, name, judge);
  }
};

const awk: ProgramRule = (invocation, judge) => {
  const name = programName(invocation);
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "FfvEil",
    longValue: ["field-separator", "file", "assign", "exec", "include", "load", "source"],
  });
  rejectUnknownOptions(scanned, name);
  if (hasOption(scanned, "-l", "--load")) deny(`"${name} -l" loads a compiled extension; use plain awk`);
  const sources = optionValues(scanned, "--source", "-e");
  const programs =
    hasOption(scanned, "-f", "--file", "-E", "--exec") || sources.length > 0
      ? sources
      : scanned.operands.slice(0, 1);
  for (const program of programs) {
    if (program === undefined) continue;
    if (program.value === undefined) {
      deny(`the "${name}" program ${program.raw} is only known at run time; write the program literally`);
    }
    rejectCredentialMention(judge, program.value, `the "${name}" program`);
    const findings = scanAwkProgram(program.value);
    if (findings.executes) {
      deny(
        `"${name}" programs that call system() or pipe to commands run other programs; run those commands directly instead`,
      );
    }
    if (findings.computedWrite) {
      deny(
        `"${name}" writes to a file whose name is computed; print to standard output and redirect it instead`,
      );
    }
    checkWrites(
      findings.writes.map((path) => literalArg(path)),
      name,
      judge,
    );
  }
};

const sort: ProgramRule = (invocation, judge) => {
  const name = programName(invocation);
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "kotST",
    longValue: [
      "key",
      "output",
      "field-separator",
      "buffer-size",
      "temporary-directory",
      "compress-program",
      "files0-from",
      "parallel",
      "batch-size",
      "random-source",
    ],
  });
  rejectUnknownOptions(scanned, name);
  if (hasOption(scanned, "--compress-program")) {
    deny(`"${name} --compress-program" runs another program; sort without it`);
  }
  checkWrites(optionValues(scanned, "-o", "--output"), name, judge);
};

const uniq: ProgramRule = (invocation, judge) => {
  const name = programName(invocation);
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "fsw",
    longValue: ["skip-fields", "skip-chars", "check-chars", "all-repeated", "group"],
  });
  if (scanned.operands.length < 2) rejectInputTail(invocation, "an output file");
  checkWrites(scanned.operands.slice(1, 2), name, judge);
};

const tree: ProgramRule = (invocation, judge) => {
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "LPIoHT",
    longValue: ["filelimit", "charset", "timefmt", "sort"],
  });
  checkWrites(optionValues(scanned, "-o"), programName(invocation), judge);
};

const findActions = new Set(["-exec", "-execdir", "-ok", "-okdir"]);
const findWrites = new Set(["-fprint", "-fprint0", "-fls", "-fprintf"]);

const find: ProgramRule = (invocation, judge) => {
  const name = programName(invocation);
  rejectInputTail(invocation, "arguments");
  const args = argumentsOf(invocation);
  let index = 0;
  while (index < args.length) {
    const value = args[index]?.value;
    if (value === "-H" || value === "-L" || value === "-P" || value?.startsWith("-O")) index++;
    else if (value === "-D") index += 2;
    else break;
  }
  const starts: Arg[] = [];
  while (index < args.length) {
    const arg = args[index] as Arg;
    if (arg.value === undefined) {
      deny(
        `"${name}" argument ${arg.raw} is only known at run time and could be an action such as -exec; write it literally`,
      );
    }
    if (/^[-(!),]./.test(arg.value) || /^[(!),]$/.test(arg.value)) break;
    starts.push(arg);
    index++;
  }
  if (starts.length === 0) starts.push(literalArg("."));
  const startsInside = starts.every(
    (start) =>
      start.value !== undefined && !start.tilde && judge.paths.isInside(judge.paths.resolve(start.value)),
  );
  while (index < args.length) {
    const arg = args[index] as Arg;
    index++;
    const value = arg.value;
    if (value === undefined) {
      deny(
        `"${name}" expression ${arg.raw} is only known at run time and could be an action such as -exec; write it literally`,
      );
    }
    if (value === "-delete") checkWrites(starts, `${name} -delete`, judge);
    else if (findWrites.has(value)) checkWrites([args[index]], `${name} ${value}`, judge);
    else if (findActions.has(value)) {
      const command: Arg[] = [];
      while (index < args.length) {
        const part = args[index] as Arg;
        index++;
        if (part.value === ";" || (part.value === "+" && command[command.length - 1]?.value === "{}")) break;
        command.push(part);
      }
      const argv = command.map((part, position): Arg => {
        if (part.value === undefined || !part.value.includes("{}")) return part;
        if (position === 0 || !startsInside) return unknownArg(part.raw, true);
        const start = (starts[0] as Arg).value as string;
        return { ...part, value: part.value.replaceAll("{}", `${start}/{}`), fromInput: true };
      });
      judge.judgeInvocation({ argv, tailFromInput: false, stdin: { kind: "none" } });
    }
  }
};

/** Rules for file-writing programs, sed, awk and find, by program name. */
export const fileRules: ReadonlyMap<string, ProgramRule> = new Map<string, ProgramRule>([
  ["rm", rm],
  ["rmdir", writesOperands({})],
  ["unlink", writesOperands({})],
  ["mkdir", writesOperands({ shortValue: "m", longValue: ["mode", "context"] })],
  ["touch", writesOperands({ shortValue: "drt", longValue: ["date", "reference", "time"] })],
  ["tee", writesOperands({})],
  ["chmod", changesAttributes(true)],
  ["chown", changesAttributes(false)],
  ["chgrp", changesAttributes(false)],
  ["cp", copiesOrMoves(false)],
  ["mv", copiesOrMoves(true)],
  ["ln", ln],
  ["sed", sed],
  ["awk", awk],
  ["gawk", awk],
  ["mawk", awk],
  ["nawk", awk],
  ["sort", sort],
  ["uniq", uniq],
  ["tree", tree],
  ["find", find],
]);
