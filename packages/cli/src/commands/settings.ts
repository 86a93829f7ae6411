/**
 * `autowright settings`: show the settings (every default applied) or change one. Values are JSON; a change is
 * validated as a whole (as `PATCH /api/settings` will be) and refused in one line, changing nothing.
 */
import {
  AppError,
  agentRoleSchema,
  formatZodError,
  type Settings,
  settingsPatchSchema,
} from "@autowright/protocol";
import { type GlobalOptions, withRegistry } from "../context.ts";
import type { CliIo } from "../io.ts";

/** Prints every setting as one JSON object. */
export function showSettingsCommand(options: GlobalOptions, io: CliIo): void {
  const settings = withRegistry(options, io, (registry) => registry.getSettings());
  io.stdout(`${JSON.stringify(settings, null, 2)}\n`);
}

/**
 * Sets `key` (a setting's name; `models.coding` for one role's model) to `value`, read as JSON (a bare word
 * that is not JSON is taken as a string). Prints the new value of the key.
 */
export function setSettingCommand(key: string, value: string, options: GlobalOptions, io: CliIo): void {
  let parsedValue: unknown;
  try {
    parsedValue = JSON.parse(value);
  } catch {
    parsedValue = value;
  }
  const [head, role, ...rest] = key.split(".");
  const roles: readonly string[] = agentRoleSchema.options;
  if (
    head === undefined ||
    rest.length > 0 ||
    (role !== undefined && (head !== "models" || !roles.includes(role)))
  )
    throw new AppError(
      "invalid_input",
      `unknown setting ${JSON.stringify(key)}${head === "models" ? ` (models.${roles.join(", models.")})` : ""}`,
    );
  const raw = role === undefined ? { [head]: parsedValue } : { models: { [role]: parsedValue } };
  const patch = settingsPatchSchema.strict().safeParse(raw);
  if (!patch.success) {
    const known = Object.keys(settingsPatchSchema.shape).join(", ");
    const unknown = patch.error.issues.some((issue) => issue.code === "unrecognized_keys");
    throw new AppError(
      "invalid_input",
      unknown
        ? `unknown setting ${JSON.stringify(key)} (settings: ${known})`
        : `invalid ${key}: ${formatZodError(patch.error)}`,
    );
  }
  const settings = withRegistry(options, io, (registry) => registry.updateSettings(patch.data));
  const updated =
    role === undefined ? settings[head as keyof Settings] : settings.models[role as keyof Settings["models"]];
  io.stdout(`${key} = ${JSON.stringify(updated)}\n`);
}
