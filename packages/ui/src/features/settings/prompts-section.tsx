/**
 * A project's prompts: the app spec and each role's prompt file (`.autowright/prompts/*.md`), edited and saved with
 * `PUT …/prompts` (only the changed files are sent). A role without a file runs the built-in prompt.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { FileText } from "lucide-react";
import { useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { getPrompts, putPrompts } from "../../api/settings.ts";
import { cn } from "../../lib/cn.ts";
import { Button } from "../../ui/button.tsx";
import { Textarea } from "../../ui/field.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { SettingsSection } from "./settings-form.tsx";

const knownPrompts: readonly { name: string; label: string; hint: string }[] = [
  { name: "app-spec", label: "App spec", hint: "What to build: every agent reads it." },
  { name: "initializer", label: "Initializer", hint: "Turns the spec into the backlog of features." },
  { name: "coding", label: "Coding agent", hint: "Implements a feature in its worktree." },
  { name: "testing", label: "Testing agent", hint: "Re-checks passing features for regressions." },
];

/** The query key of a project's prompts. */
export const promptsQueryKey = (project: string) => ["prompts", project] as const;

/** The Prompts section of `project`. */
export function PromptsSection(props: { readonly project: string }) {
  const { project } = props;
  const queryClient = useQueryClient();
  const { notify, notifyError } = useNotify();
  const prompts = useQuery({ queryKey: promptsQueryKey(project), queryFn: () => getPrompts(project) });
  const [edits, setEdits] = useState<Readonly<Record<string, string>>>({});
  const [current, setCurrent] = useState("app-spec");
  const [saved, setSaved] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const stored = prompts.data?.prompts ?? {};
  const names = [
    ...knownPrompts,
    ...Object.keys(stored)
      .filter((name) => !knownPrompts.some((known) => known.name === name))
      .map((name) => ({ name, label: name, hint: "" })),
  ];
  const changed = Object.fromEntries(
    Object.entries(edits).filter(([name, text]) => text !== (stored[name] ?? "")),
  );
  const dirty = Object.keys(changed).length > 0;
  const save = useMutation({
    mutationFn: () => putPrompts(project, changed),
    onSuccess: (answer) => {
      queryClient.setQueryData(promptsQueryKey(project), answer);
      setEdits({});
      setSaved(true);
      setProblem(undefined);
      notify({ tone: "success", title: "Prompts saved" });
    },
    onError: (error) => {
      setSaved(false);
      setProblem(errorMessage(error));
      notifyError("The prompts could not be saved", error);
    },
  });
  const selected = names.find((prompt) => prompt.name === current) ?? names[0];
  const name = selected?.name ?? "app-spec";
  const text = edits[name] ?? stored[name] ?? "";
  const exists = stored[name] !== undefined;

  return (
    <SettingsSection
      id="prompts"
      icon={FileText}
      title="Prompts"
      description={`The spec and the prompt of each role, for ${project} only.`}
      dirty={dirty}
      saving={save.isPending}
      saved={saved}
      problem={problem}
      onSave={() => save.mutate()}
      onDiscard={() => {
        setEdits({});
        setProblem(undefined);
      }}
    >
      {prompts.isError ? (
        <div role="alert" className="space-y-2 text-sm">
          <p className="text-status-failed">The prompts could not be loaded: {errorMessage(prompts.error)}</p>
          <Button size="sm" onClick={() => void prompts.refetch()}>
            Try again
          </Button>
        </div>
      ) : prompts.data === undefined ? (
        <p className="text-sm text-muted">Loading the prompts…</p>
      ) : (
        <div className="space-y-3">
          <fieldset aria-label="Prompt files" className="flex flex-wrap gap-1">
            {names.map((prompt) => {
              const active = prompt.name === name;
              const edited = changed[prompt.name] !== undefined;
              return (
                <button
                  key={prompt.name}
                  type="button"
                  aria-pressed={active}
                  onClick={() => setCurrent(prompt.name)}
                  className={cn(
                    "rounded-md px-3 py-1.5 text-sm",
                    active
                      ? "bg-accent-soft font-medium text-accent"
                      : "text-muted hover:bg-surface-muted hover:text-foreground",
                  )}
                >
                  {prompt.label}
                  {edited ? <span className="ml-1 text-status-input">• edited</span> : null}
                </button>
              );
            })}
          </fieldset>
          <div className="space-y-1.5">
            <p className="text-xs text-muted">
              {selected?.hint}{" "}
              {exists
                ? `.autowright/prompts/${name}.md`
                : name === "app-spec"
                  ? "The project has no spec yet: write it here or with the spec interview."
                  : "No file: the built-in prompt is used. Saving writes one."}
            </p>
            <Textarea
              aria-label={`${selected?.label ?? name} prompt`}
              value={text}
              spellCheck={false}
              onChange={(event) => {
                setSaved(false);
                setEdits((all) => ({ ...all, [name]: event.target.value }));
              }}
              className="h-80 resize-y font-mono text-xs leading-relaxed"
            />
          </div>
        </div>
      )}
    </SettingsSection>
  );
}
