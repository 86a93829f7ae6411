/**
 * The run settings: concurrency and its cap, testing agents, batch size, YOLO, attempts, unchecked passes, the
 * budget, and (folded) isolation, timeouts and the dependency limit. Ranges are the protocol's `settingsSchema`.
 */
import { concurrencyCeiling, type Settings, type SettingsPatchRequest } from "@autowright/protocol";
import { Gauge } from "lucide-react";
import { useState } from "react";
import { Field, Select } from "../../ui/field.tsx";
import { Switch } from "../../ui/switch.tsx";
import { NumberField, type NumberRange, numberProblem, Segmented } from "./settings-controls.tsx";
import { type FieldErrors, numberOf, SettingsSection, useSettingsSave } from "./settings-form.tsx";

const numberFields = {
  maxConcurrency: { min: 1, max: concurrencyCeiling, integer: true },
  concurrencyCap: { min: 1, max: concurrencyCeiling, integer: true },
  maxAttempts: { min: 1, max: 20, integer: true },
  maxCostUsd: { integer: false, nullable: true, positive: true },
  maxTokens: { integer: true, nullable: true, positive: true },
  sessionTimeoutMinutes: { min: 1, max: 24 * 60, integer: true },
  initializerTimeoutMinutes: { min: 1, max: 24 * 60, integer: true },
  noProgressMinutes: { min: 1, max: 24 * 60, integer: true },
  maxDependenciesPerFeature: { min: 1, max: 1000, integer: true },
} as const satisfies Record<string, NumberRange>;

type NumberKey = keyof typeof numberFields;

const advancedFields = [
  "isolation",
  "sessionTimeoutMinutes",
  "initializerTimeoutMinutes",
  "noProgressMinutes",
  "maxDependenciesPerFeature",
] as const;

interface Draft {
  readonly numbers: Readonly<Record<NumberKey, string>>;
  readonly testingAgentRatio: number;
  readonly batchSize: number;
  readonly yolo: boolean;
  readonly allowUncheckedPass: boolean;
  readonly isolation: Settings["isolation"];
}

function draftOf(settings: Settings): Draft {
  const numbers = Object.fromEntries(
    (Object.keys(numberFields) as NumberKey[]).map((key) => {
      const value = settings[key];
      return [key, value === null ? "" : String(value)];
    }),
  ) as Record<NumberKey, string>;
  return {
    numbers,
    testingAgentRatio: settings.testingAgentRatio,
    batchSize: settings.batchSize,
    yolo: settings.yolo,
    allowUncheckedPass: settings.allowUncheckedPass,
    isolation: settings.isolation,
  };
}

/** The changed fields, and the fields whose text is not a valid value. */
function patchOf(draft: Draft, settings: Settings): { patch: SettingsPatchRequest; problems: FieldErrors } {
  const patch: Record<string, unknown> = {};
  const problems: Record<string, string> = {};
  for (const key of Object.keys(numberFields) as NumberKey[]) {
    const text = draft.numbers[key];
    const problem = numberProblem(text, numberFields[key]);
    if (problem !== undefined) {
      problems[key] = problem;
      continue;
    }
    const value = numberOf(text);
    if (value !== settings[key]) patch[key] = value;
  }
  for (const key of ["testingAgentRatio", "batchSize", "yolo", "allowUncheckedPass", "isolation"] as const)
    if (draft[key] !== settings[key]) patch[key] = draft[key];
  const concurrency = numberOf(draft.numbers.maxConcurrency);
  const cap = numberOf(draft.numbers.concurrencyCap);
  if (problems["maxConcurrency"] === undefined && concurrency !== null && cap !== null && concurrency > cap)
    problems["maxConcurrency"] = `at most the concurrency cap (${cap})`;
  return { patch: patch as SettingsPatchRequest, problems };
}

/** The Run section. */
export function RunSection(props: { readonly settings: Settings }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.settings));
  const [advanced, setAdvanced] = useState(false);
  const saving = useSettingsSave("Run settings", (answer) => setDraft(draftOf(answer.settings)));
  const { patch, problems } = patchOf(draft, props.settings);
  const dirty = Object.keys(patch).length > 0 || Object.keys(problems).length > 0;
  const errors = saving.fieldErrors;
  const change = (next: Partial<Draft>) => {
    saving.touched();
    setDraft((current) => ({ ...current, ...next }));
  };
  const number = (key: NumberKey) => ({
    value: draft.numbers[key],
    onChange: (value: string) => change({ numbers: { ...draft.numbers, [key]: value } }),
    range: numberFields[key],
    error: errors[key],
  });

  return (
    <SettingsSection
      id="run"
      icon={Gauge}
      title="Run"
      description="How many agents work at once, how features are checked, and when a run stops."
      dirty={dirty}
      saving={saving.saving}
      saved={saving.saved}
      problem={saving.problem}
      onSave={() => saving.save(patch, problems)}
      onDiscard={() => {
        saving.clearErrors();
        setDraft(draftOf(props.settings));
      }}
    >
      <div className="grid gap-5 sm:grid-cols-2">
        <NumberField
          label="Max concurrency"
          hint={`Coding agents at once (1 to the cap, ${draft.numbers.concurrencyCap || "?"}).`}
          {...number("maxConcurrency")}
        />
        <NumberField
          label="Concurrency cap"
          hint={`The most anyone may choose in the run controls (1–${concurrencyCeiling}).`}
          {...number("concurrencyCap")}
        />
        <Segmented
          label="Testing agents"
          hint="Regression testers running beside the coding agents (0: none)."
          options={[0, 1, 2, 3].map((value) => ({ value, label: String(value) }))}
          value={draft.testingAgentRatio}
          onChange={(value) => change({ testingAgentRatio: value })}
          error={errors["testingAgentRatio"]}
        />
        <Segmented
          label="Batch size"
          hint="Features one coding session takes on (1–3)."
          options={[1, 2, 3].map((value) => ({ value, label: String(value) }))}
          value={draft.batchSize}
          onChange={(value) => change({ batchSize: value })}
          error={errors["batchSize"]}
        />
        <NumberField
          label="Max attempts"
          hint="Sessions a feature gets before it is marked failed (1–20)."
          {...number("maxAttempts")}
        />
      </div>
      <div className="space-y-3">
        <div>
          <Switch label="YOLO mode" checked={draft.yolo} onCheckedChange={(yolo) => change({ yolo })} />
          <p className="pl-11 text-xs text-muted">
            No tests and no testing agents: a feature passes on the project's lint and type-check.
          </p>
        </div>
        <div>
          <Switch
            label="Allow unchecked passes"
            checked={draft.allowUncheckedPass}
            onCheckedChange={(allowUncheckedPass) => change({ allowUncheckedPass })}
          />
          <p className="pl-11 text-xs text-muted">
            When no check applies to a feature, let it pass marked “unverified” instead of going back to the
            agent.
          </p>
        </div>
      </div>
      <fieldset className="space-y-3">
        <legend className="text-sm font-medium">Budget</legend>
        <p className="text-xs text-muted">A run stops when it reaches either limit. Empty: unlimited.</p>
        <div className="grid gap-5 sm:grid-cols-2">
          <NumberField
            label="Max cost"
            suffix="USD"
            placeholder="unlimited"
            step={0.01}
            {...number("maxCostUsd")}
          />
          <NumberField label="Max tokens" placeholder="unlimited" {...number("maxTokens")} />
        </div>
      </fieldset>
      <details
        className="group rounded-lg border border-border px-4 py-3"
        open={advanced || advancedFields.some((key) => errors[key] !== undefined)}
        onToggle={(event) => setAdvanced(event.currentTarget.open)}
      >
        <summary className="cursor-pointer text-sm font-medium">
          Advanced: isolation, timeouts, dependencies
        </summary>
        <div className="mt-4 grid gap-5 sm:grid-cols-2">
          <Field
            label="Isolation"
            hint="Worktree: each coding agent in its own git worktree. Shared: all in the project folder."
            error={errors["isolation"]}
          >
            {(id, describedBy) => (
              <Select
                id={id}
                aria-describedby={describedBy}
                value={draft.isolation}
                onChange={(event) => change({ isolation: event.target.value as Settings["isolation"] })}
                className="max-w-56"
              >
                <option value="worktree">Worktree per agent</option>
                <option value="shared">Shared folder</option>
              </Select>
            )}
          </Field>
          <NumberField
            label="Session timeout"
            suffix="minutes"
            hint="A coding or testing session is stopped after this long (1–1440)."
            {...number("sessionTimeoutMinutes")}
          />
          <NumberField
            label="Initializer timeout"
            suffix="minutes"
            hint="For the session that turns the spec into features (1–1440)."
            {...number("initializerTimeoutMinutes")}
          />
          <NumberField
            label="No-progress limit"
            suffix="minutes"
            hint="A session with no tool activity for this long is cancelled (1–1440)."
            {...number("noProgressMinutes")}
          />
          <NumberField
            label="Dependencies per feature"
            hint="The most dependencies one feature may have (1–1000)."
            {...number("maxDependenciesPerFeature")}
          />
        </div>
      </details>
    </SettingsSection>
  );
}
