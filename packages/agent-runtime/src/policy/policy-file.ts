/**
 * The command policy files: `<AUTOWRIGHT_HOME>/commands.yaml` (the user's, for every project) and
 * `<project>/.autowright/commands.yaml` (the project's). Both are optional and have the same format:
 *
 * ```yaml
 * version: 1                # optional
 * allow: [docker, make]     # extra programs agents may run
 * deny: [rm]                # programs agents may not run, even built-in or allowed by another file
 * allowInlineCode: [python3] # interpreters whose inline code (python3 -c, node -e …) is allowed
 * ```
 *
 * A deny in either file wins over an allow in either file. Hard denials (sudo, su, pkill, dd, mkfs, shutdown …)
 * cannot be allowed at all, and shells cannot take `allowInlineCode` (their inline scripts are always parsed and
 * judged instead).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AppError, formatZodError } from "@autowright/protocol";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { hardDenials, shellPrograms } from "./programs.ts";

const programNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/,
    "must be a program name such as docker (no paths, spaces or wildcards)",
  );

/** The format of `commands.yaml`. */
export const commandPolicyFileSchema = z
  .strictObject({
    version: z.literal(1).optional(),
    allow: z.array(programNameSchema).optional(),
    deny: z.array(programNameSchema).optional(),
    allowInlineCode: z.array(programNameSchema).optional(),
  })
  .superRefine((file, context) => {
    for (const key of ["allow", "allowInlineCode"] as const) {
      file[key]?.forEach((name, index) => {
        const hard = hardDenials.get(name);
        if (hard !== undefined) {
          context.addIssue({
            code: "custom",
            path: [key, index],
            message: `${name} can never be allowed (${hard})`,
          });
        }
      });
    }
    file.allowInlineCode?.forEach((name, index) => {
      if (shellPrograms.has(name)) {
        context.addIssue({
          code: "custom",
          path: ["allowInlineCode", index],
          message: `${name} scripts given with -c are always parsed and judged, so ${name} cannot be listed here`,
        });
      }
    });
  });

/** The contents of one `commands.yaml`. */
export type CommandPolicyFile = z.infer<typeof commandPolicyFileSchema>;

/** One policy file that was read: where it is and what it says. */
export interface CommandPolicyLayer {
  readonly path: string;
  readonly file: CommandPolicyFile;
}

/** Where the user's policy file lives in the autowright home directory. */
export function globalPolicyPath(home: string): string {
  return join(home, "commands.yaml");
}

/** Where a project's policy file lives. */
export function projectPolicyPath(projectRoot: string): string {
  return join(projectRoot, ".autowright", "commands.yaml");
}

/** Parses the text of a policy file; `path` names the file in errors. */
export function parseCommandPolicyFile(text: string, path: string): CommandPolicyFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    const firstLine = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    const message = firstLine.replace(/:\s*$/, "");
    throw new AppError("invalid_input", `${path} is not valid YAML: ${message}`, { details: { path } });
  }
  if (raw === null || raw === undefined) return {};
  const result = commandPolicyFileSchema.safeParse(raw);
  if (!result.success) {
    throw new AppError(
      "invalid_input",
      `${path} is not a valid command policy: ${formatZodError(result.error)} (expected keys: allow, deny, allowInlineCode, each a list of program names)`,
      { details: { path } },
    );
  }
  return result.data;
}

/** Reads a policy file if it exists. */
export function readCommandPolicyFile(path: string): CommandPolicyLayer | undefined {
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new AppError("invalid_input", `cannot read ${path}: ${(error as Error).message}`, {
      details: { path },
    });
  }
  return { path, file: parseCommandPolicyFile(text, path) };
}
