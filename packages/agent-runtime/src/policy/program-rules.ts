/** Every per-program rule, by program name. Programs without a rule only need to be allowed. */
import type { ProgramRule } from "./judge-types.ts";
import { argumentsOf } from "./rule-helpers.ts";
import { fileRules } from "./rules-files.ts";
import { gitRule } from "./rules-git.ts";
import { interpreterRules } from "./rules-interpreters.ts";
import { networkRules } from "./rules-network.ts";
import { packageRules } from "./rules-packages.ts";
import { wrapperRules } from "./rules-wrappers.ts";

/** `export`, `declare` … reached through a wrapper (`command export A=1`): judge their assignments. */
const declaration: ProgramRule = (invocation, judge) => {
  for (const arg of argumentsOf(invocation)) {
    const value = arg.value;
    if (value === undefined) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)\+?=/.exec(value);
    if (match !== null)
      judge.judgeAssignment(match[1] as string, { ...arg, value: value.slice(match[0].length) });
  }
};

/** All rules. */
export const programRules: ReadonlyMap<string, ProgramRule> = new Map<string, ProgramRule>([
  ...fileRules,
  ...wrapperRules,
  ...interpreterRules,
  ...packageRules,
  ...networkRules,
  ["git", gitRule],
  ["export", declaration],
  ["declare", declaration],
  ["typeset", declaration],
  ["local", declaration],
  ["readonly", declaration],
]);
