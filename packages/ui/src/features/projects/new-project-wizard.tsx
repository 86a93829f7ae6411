/**
 * The new-project wizard (`/new`): (1) a name, checked like the protocol checks it; (2) a folder, through the
 * server's folder browser or typed; (3) the spec: by interview (the project is created first so the chat has
 * one), by hand, or imported from an AutoForge project; (4) start building: the provider (the configured one or
 * the offline demo model), concurrency and YOLO. Every server refusal is shown where it happened.
 */
import {
  type ProjectCreateRequest,
  type ProjectCreateResponse,
  type Provider,
  projectNameSchema,
  type RunStartRequest,
} from "@autowright/protocol";
import { type UseMutationResult, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  ArrowLeft,
  ArrowRight,
  Check,
  FileInput,
  type LucideIcon,
  MessagesSquare,
  PenLine,
  Rocket,
} from "lucide-react";
import { type ReactNode, useEffect, useId, useMemo, useState } from "react";
import { ApiError, errorMessage } from "../../api/client.ts";
import { createProject, getProject, listFolder, startRun } from "../../api/projects.ts";
import { getProviders, getSettings } from "../../api/settings.ts";
import { navigate } from "../../app/router.ts";
import { cn } from "../../lib/cn.ts";
import { Button } from "../../ui/button.tsx";
import { Card } from "../../ui/card.tsx";
import { Field, Input, Select, Textarea } from "../../ui/field.tsx";
import { Switch } from "../../ui/switch.tsx";
import { SpecChat } from "../chat/spec-chat.tsx";
import { FolderBrowser, folderQueryKey } from "./folder-browser.tsx";
import { PageFrame, RouteLink } from "./page-frame.tsx";
import { projectsQueryKey, useProjects } from "./projects-query.ts";

type Step = "name" | "folder" | "spec" | "start";
type SpecMode = "chat" | "hand" | "import";

const steps: readonly { id: Step; label: string }[] = [
  { id: "name", label: "Name" },
  { id: "folder", label: "Folder" },
  { id: "spec", label: "Spec" },
  { id: "start", label: "Start" },
];

/** The spec the by-hand editor starts from: every top-level bullet under Features is one thing to build. */
export const handSpecTemplate = `# My app

What it is and who it is for, in a sentence or two.

## Technology

How it is built, run and tested (for example: Node 20, plain HTML and JavaScript, \`npm test\`).

## Features

- A thing a user can do, one per line, as precisely as you can
- Another thing a user can do

## Constraints

Style, accessibility, what not to touch.
`;

const providerLabels: Record<Provider, string> = {
  claude: "Claude (Claude Code)",
  anthropic: "Anthropic API",
  "openai-compatible": "OpenAI-compatible",
  replay: "Offline demo model (replay)",
};

/** The name's problem, in the protocol's words, or undefined when it is valid. */
export function nameProblem(name: string, taken: readonly string[]): string | undefined {
  if (name === "") return "Give the project a name.";
  const parsed = projectNameSchema.safeParse(name);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "not a valid project name";
    return message.charAt(0).toUpperCase() + message.slice(1);
  }
  if (taken.includes(name)) return `A project named ${name} already exists: choose another name.`;
  return undefined;
}

function joinPath(parent: string, name: string): string {
  return `${parent.replace(/\/+$/, "")}/${name}`;
}

function splitPath(path: string): { parent: string; base: string } {
  const trimmed = path.replace(/\/+$/, "");
  const index = trimmed.lastIndexOf("/");
  return index <= 0
    ? { parent: "/", base: trimmed.slice(1) }
    : { parent: trimmed.slice(0, index), base: trimmed.slice(index + 1) };
}

/** The wizard. */
export function NewProjectWizard() {
  const queryClient = useQueryClient();
  const projects = useProjects();
  const taken = useMemo(
    () => (projects.data?.projects ?? []).map((project) => project.name),
    [projects.data],
  );
  const [step, setStep] = useState<Step>("name");
  const [name, setName] = useState("");
  const [nameTried, setNameTried] = useState(false);
  const [browsePath, setBrowsePath] = useState<string | undefined>(undefined);
  const [parent, setParent] = useState<string | undefined>(undefined);
  const [folderOverride, setFolderOverride] = useState<string | undefined>(undefined);
  const [created, setCreated] = useState<ProjectCreateResponse | undefined>(undefined);

  const folder = folderOverride ?? (parent === undefined ? "" : joinPath(parent, name));
  const problem = nameProblem(name, created === undefined ? taken : []);
  const locked = created !== undefined;

  const create = useMutation({
    mutationFn: (body: ProjectCreateRequest) => createProject(body),
    onSuccess: (answer) => {
      setCreated(answer);
      void queryClient.invalidateQueries({ queryKey: ["project", answer.project.name] });
      void queryClient.invalidateQueries({ queryKey: projectsQueryKey });
    },
  });

  const reachable = (target: Step): boolean => {
    if (locked) return target === "spec" || target === "start";
    if (target === "name") return true;
    if (target === "folder") return problem === undefined;
    if (target === "spec") return problem === undefined && folder.trim() !== "";
    return false;
  };

  return (
    <PageFrame>
      <div className="flex flex-wrap items-center gap-3">
        <RouteLink
          href="/"
          onNavigate={() => navigate({ kind: "home" })}
          className="inline-flex items-center gap-1 rounded-md text-sm text-muted hover:text-foreground"
        >
          <ArrowLeft className="size-4" aria-hidden />
          All projects
        </RouteLink>
      </div>
      <div className="space-y-1">
        <h1 className="text-xl font-semibold tracking-tight">New project</h1>
        <p className="text-sm text-muted">
          A folder for the code, and a spec that says what to build. The agents do the rest.
        </p>
      </div>
      <Stepper step={step} reachable={reachable} onStep={setStep} />

      {step === "name" ? (
        <Card className="p-5">
          <form
            className="space-y-4"
            onSubmit={(event) => {
              event.preventDefault();
              setNameTried(true);
              if (problem === undefined) setStep("folder");
            }}
            noValidate
          >
            <Field
              className="max-w-xl"
              label="Project name"
              error={nameTried || name !== "" ? problem : undefined}
              hint="Letters, digits, '_' or '-'; it names the project in links, like /projects/my-app."
            >
              {(id, describedBy) => (
                <Input
                  id={id}
                  aria-describedby={describedBy}
                  aria-invalid={(nameTried || name !== "") && problem !== undefined}
                  autoFocus
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="my-app"
                  value={name}
                  disabled={locked}
                  onChange={(event) => setName(event.target.value)}
                />
              )}
            </Field>
            <StepButtons>
              <Button type="submit" variant="primary">
                Next: the folder
                <ArrowRight aria-hidden />
              </Button>
            </StepButtons>
          </form>
        </Card>
      ) : null}

      {step === "folder" ? (
        <Card className="space-y-4 p-5">
          <Field
            label="Project folder"
            hint={
              folderOverride === undefined
                ? `A new folder named ${name} in the folder you browse to; created when you finish. Or type a path.`
                : "An existing folder is registered as it is (git is set up when it has none); a new one is created."
            }
          >
            {(id, describedBy) => (
              <Input
                id={id}
                aria-describedby={describedBy}
                className="font-mono"
                spellCheck={false}
                placeholder="/home/you/projects/my-app"
                value={folder}
                onChange={(event) => setFolderOverride(event.target.value)}
              />
            )}
          </Field>
          <FolderBrowser
            path={browsePath}
            onBrowse={(path) => {
              setBrowsePath(path);
              setFolderOverride(undefined);
            }}
            onUse={(path) => setFolderOverride(path)}
            onHome={() => {
              setBrowsePath(undefined);
              setFolderOverride(undefined);
            }}
            onListed={setParent}
          />
          <StepButtons>
            <Button onClick={() => setStep("name")}>
              <ArrowLeft aria-hidden />
              Back
            </Button>
            <Button
              variant="primary"
              disabled={folder.trim() === ""}
              onClick={() => {
                setFolderOverride(folder.trim());
                setStep("spec");
              }}
            >
              Next: the spec
              <ArrowRight aria-hidden />
            </Button>
          </StepButtons>
        </Card>
      ) : null}

      {step === "spec" ? (
        <SpecStep
          name={name}
          folder={folder.trim()}
          created={created}
          create={create}
          onBack={() => setStep("folder")}
          onFix={(target) => {
            create.reset();
            setStep(target);
          }}
          onDone={() => setStep("start")}
        />
      ) : null}

      {step === "start" && created !== undefined ? <StartStep created={created} /> : null}
    </PageFrame>
  );
}

function StepButtons(props: { readonly children: ReactNode }) {
  return <div className="flex flex-wrap items-center justify-end gap-2 pt-1">{props.children}</div>;
}

function Stepper(props: {
  readonly step: Step;
  readonly reachable: (step: Step) => boolean;
  readonly onStep: (step: Step) => void;
}) {
  const currentIndex = steps.findIndex((item) => item.id === props.step);
  return (
    <nav aria-label="Steps">
      <ol className="flex flex-wrap items-center gap-2">
        {steps.map((item, index) => {
          const current = item.id === props.step;
          const done = index < currentIndex;
          const enabled = !current && props.reachable(item.id);
          return (
            <li key={item.id} className="flex items-center gap-2">
              {index > 0 ? <span aria-hidden className="h-px w-6 bg-border sm:w-10" /> : null}
              <button
                type="button"
                disabled={!enabled}
                aria-current={current ? "step" : undefined}
                onClick={() => props.onStep(item.id)}
                className={cn(
                  "flex items-center gap-2 rounded-full border py-1 pr-3 pl-1 text-sm",
                  current
                    ? "border-accent bg-accent-soft font-medium text-accent-strong"
                    : "border-border bg-surface text-muted",
                  enabled ? "hover:text-foreground" : "cursor-default",
                )}
              >
                <span
                  aria-hidden
                  className={cn(
                    "flex size-6 items-center justify-center rounded-full text-xs font-semibold",
                    current
                      ? "bg-accent text-accent-foreground"
                      : done
                        ? "bg-status-soft-done text-status-done-strong"
                        : "bg-surface-muted",
                  )}
                >
                  {done ? <Check className="size-3.5" /> : index + 1}
                </span>
                {item.label}
                {done ? <span className="sr-only">(done)</span> : null}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

type CreateMutation = UseMutationResult<ProjectCreateResponse, Error, ProjectCreateRequest>;

function SpecStep(props: {
  readonly name: string;
  readonly folder: string;
  readonly created: ProjectCreateResponse | undefined;
  readonly create: CreateMutation;
  readonly onBack: () => void;
  readonly onFix: (step: Step) => void;
  readonly onDone: () => void;
}) {
  const { name, folder, create } = props;
  const { parent, base } = splitPath(folder);
  // Whether the chosen folder is an AutoForge project: its parent's listing says so (also for a typed path).
  const parentListing = useQuery({
    queryKey: folderQueryKey(parent),
    queryFn: () => listFolder(parent),
    retry: false,
    staleTime: 5_000,
  });
  const entry = parentListing.data?.entries.find((item) => item.name === base);
  const isAutoforge = entry?.isAutoforgeProject === true;
  const [mode, setMode] = useState<SpecMode>("chat");
  const [modeChosen, setModeChosen] = useState(false);
  useEffect(() => {
    if (isAutoforge && !modeChosen) setMode("import");
  }, [isAutoforge, modeChosen]);
  const [spec, setSpec] = useState(handSpecTemplate);
  const [chatting, setChatting] = useState(false);
  const chatReady = chatting && props.created !== undefined;

  const submit = (body: Omit<ProjectCreateRequest, "name" | "path">, then: () => void) =>
    create.mutate({ name, path: folder, ...body }, { onSuccess: then });

  const options: readonly {
    id: SpecMode;
    label: string;
    description: string;
    icon: LucideIcon;
    disabled?: string;
  }[] = [
    {
      id: "chat",
      label: "By interview",
      description: "Describe the app in a chat; the assistant asks what it needs and writes the spec.",
      icon: MessagesSquare,
    },
    {
      id: "hand",
      label: "By hand",
      description: "Write the spec yourself, in markdown: one feature per bullet.",
      icon: PenLine,
    },
    {
      id: "import",
      label: "Import from AutoForge",
      description: "Bring in an AutoForge project's backlog, dependencies and prompts.",
      icon: FileInput,
      ...(isAutoforge
        ? {}
        : {
            disabled:
              entry === undefined
                ? "The folder does not exist yet, so there is nothing to import."
                : "This folder is not an AutoForge project.",
          }),
    },
  ];

  if (chatReady)
    return (
      <div className="space-y-2">
        <Card className="overflow-hidden">
          <div className="h-[calc(100vh-21rem)] min-h-[26rem]">
            <SpecChat project={name} onComplete={props.onDone} />
          </div>
        </Card>
        <p className="text-right text-sm text-muted">
          Rather write it yourself?{" "}
          <button
            type="button"
            className="font-medium text-accent-strong hover:underline"
            onClick={() => {
              setChatting(false);
              setMode("hand");
              setModeChosen(true);
            }}
          >
            Write the spec by hand
          </button>
        </p>
      </div>
    );

  return (
    <Card className="space-y-5 p-5">
      <p className="text-sm text-muted">
        <span className="font-medium text-foreground">{name}</span> in{" "}
        <code className="font-mono text-xs break-all">{folder}</code>
        {entry?.isProject ? " (already an autowright project: registering it again keeps its backlog)" : ""}
      </p>
      <fieldset>
        <legend className="mb-2 text-sm font-medium">How do you want to write the spec?</legend>
        <div className="grid gap-3 md:grid-cols-3">
          {options.map((option) => {
            const Icon = option.icon;
            const checked = mode === option.id;
            return (
              <label
                key={option.id}
                className={cn(
                  "flex gap-3 rounded-lg border p-3 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                  option.disabled !== undefined
                    ? "cursor-not-allowed border-border opacity-60"
                    : checked
                      ? "cursor-pointer border-accent bg-accent-soft"
                      : "cursor-pointer border-border hover:bg-surface-muted",
                )}
              >
                <input
                  type="radio"
                  name="spec-mode"
                  value={option.id}
                  checked={checked}
                  disabled={option.disabled !== undefined}
                  onChange={() => {
                    setMode(option.id);
                    setModeChosen(true);
                    create.reset();
                  }}
                  className="sr-only"
                />
                <Icon
                  className={cn("mt-0.5 size-5 shrink-0", checked ? "text-accent" : "text-muted")}
                  aria-hidden
                />
                <span className="min-w-0 text-sm">
                  <span className="block font-medium">{option.label}</span>
                  <span className="block text-muted">{option.disabled ?? option.description}</span>
                </span>
              </label>
            );
          })}
        </div>
      </fieldset>

      {mode === "hand" ? (
        <Field
          label="App spec (markdown)"
          hint="Each top-level bullet under Features becomes something to build. It is saved as .autowright/prompts/app-spec.md."
        >
          {(id, describedBy) => (
            <Textarea
              id={id}
              aria-describedby={describedBy}
              className="min-h-72 font-mono text-[13px] leading-relaxed"
              spellCheck
              value={spec}
              onChange={(event) => setSpec(event.target.value)}
            />
          )}
        </Field>
      ) : mode === "import" ? (
        <p className="rounded-lg border border-border bg-surface-muted px-3 py-2 text-sm text-muted">
          autowright reads the AutoForge database in <code className="font-mono text-xs">{folder}</code> and
          imports its features (with their status and dependencies) and its prompts. The AutoForge files are
          not changed.
        </p>
      ) : (
        <p className="rounded-lg border border-border bg-surface-muted px-3 py-2 text-sm text-muted">
          The project is created first (with an empty spec) so the interview has a place to write it. Then you
          chat; when the spec is written, you start building.
        </p>
      )}

      <CreateError error={create.error} onFix={props.onFix} />

      <StepButtons>
        {props.created === undefined ? (
          <Button onClick={props.onBack}>
            <ArrowLeft aria-hidden />
            Back
          </Button>
        ) : null}
        {mode === "hand" ? (
          <Button
            variant="primary"
            disabled={create.isPending || spec.trim() === ""}
            onClick={() => submit({ spec }, props.onDone)}
          >
            {create.isPending
              ? "Creating…"
              : props.created === undefined
                ? "Create project"
                : "Save the spec"}
            <ArrowRight aria-hidden />
          </Button>
        ) : mode === "import" ? (
          <Button
            variant="primary"
            disabled={create.isPending || !isAutoforge}
            onClick={() => submit({ importAutoforge: true }, props.onDone)}
          >
            {create.isPending ? "Importing…" : "Import the project"}
            <ArrowRight aria-hidden />
          </Button>
        ) : (
          <Button
            variant="primary"
            disabled={create.isPending}
            onClick={() =>
              props.created === undefined ? submit({}, () => setChatting(true)) : setChatting(true)
            }
          >
            <MessagesSquare aria-hidden />
            {create.isPending ? "Creating…" : "Start the interview"}
          </Button>
        )}
      </StepButtons>
    </Card>
  );
}

const changeName = { step: "name", label: "Change the name" } as const;
const changeFolder = { step: "folder", label: "Change the folder" } as const;
/** What the user can change after each refusal (a name or a folder already registered: either). */
const fixesOf: Partial<Record<string, readonly { step: Step; label: string }[]>> = {
  project_exists: [changeName, changeFolder],
  invalid_project_name: [changeName],
  directory_not_found: [changeFolder],
  path_outside_project: [changeFolder],
  not_an_autoforge_project: [changeFolder],
  invalid_input: [changeFolder],
};

function CreateError(props: { readonly error: Error | null; readonly onFix: (step: Step) => void }) {
  if (props.error === null) return null;
  const fixes = (props.error instanceof ApiError ? fixesOf[props.error.code] : undefined) ?? [];
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center gap-3 rounded-lg border border-status-failed/40 bg-status-soft-failed px-3 py-2 text-sm"
    >
      <p className="min-w-0 flex-1 text-status-failed-strong">
        <span className="font-medium">The project could not be created: </span>
        {errorMessage(props.error)}
      </p>
      {fixes.map((fix) => (
        <Button key={fix.step} size="sm" onClick={() => props.onFix(fix.step)}>
          {fix.label}
        </Button>
      ))}
    </div>
  );
}

function StartStep(props: { readonly created: ProjectCreateResponse }) {
  const { imported } = props.created;
  // Loaded again: the interview wrote the spec after the project was created.
  const detail = useQuery({
    queryKey: ["project", props.created.project.name],
    queryFn: () => getProject(props.created.project.name),
    staleTime: 0,
  });
  const project = detail.data?.project ?? props.created.project;
  const settings = useQuery({ queryKey: ["settings"], queryFn: getSettings });
  const providers = useQuery({ queryKey: ["providers"], queryFn: getProviders });
  const configured = settings.data?.settings.provider;
  const [provider, setProvider] = useState<Provider | undefined>(undefined);
  const [concurrency, setConcurrency] = useState<number | undefined>(undefined);
  const [yolo, setYolo] = useState<boolean | undefined>(undefined);
  const chosen = provider ?? configured ?? "replay";
  const cap = settings.data?.settings.concurrencyCap ?? 5;
  const agents = concurrency ?? settings.data?.settings.maxConcurrency ?? 2;
  const yoloOn = yolo ?? settings.data?.settings.yolo ?? false;
  const credentials = providers.data?.providers.find((item) => item.id === chosen);
  const concurrencyId = useId();
  const start = useMutation({
    mutationFn: (body: RunStartRequest) => startRun(project.name, body),
    onSuccess: () => navigate({ kind: "project", project: project.name, view: "dashboard" }),
  });
  const choices: Provider[] =
    configured === undefined || configured === "replay" ? ["replay"] : [configured, "replay"];

  return (
    <Card className="space-y-5 p-5">
      <div className="flex items-start gap-3">
        <span
          aria-hidden
          className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-status-soft-done text-status-done-strong"
        >
          <Check className="size-5" />
        </span>
        <div className="min-w-0">
          <h2 className="text-base font-semibold">{project.name} is ready</h2>
          <p className="text-sm text-muted">
            <code className="font-mono text-xs break-all">{project.path}</code>
            {" · "}
            {imported !== undefined
              ? `${imported} ${imported === 1 ? "feature" : "features"} imported`
              : project.hasSpec
                ? "the spec is written: the first agent turns it into features"
                : "no spec yet: write one before the run can plan anything"}
          </p>
        </div>
      </div>

      {settings.isError ? (
        <p role="alert" className="text-sm text-status-failed-strong">
          The settings could not be loaded: {errorMessage(settings.error)}
        </p>
      ) : null}

      <div className="grid max-w-2xl gap-4 sm:grid-cols-2">
        <Field
          label="Model"
          hint={
            chosen === "replay"
              ? "Scripted and offline: shows the whole flow, builds a toy."
              : credentials !== undefined && !credentials.credentialsSet
                ? chosen === "claude"
                  ? "No key saved: Claude Code uses your claude login."
                  : "No credentials are saved for it: set them in Settings first."
                : "The provider in your settings."
          }
        >
          {(id, describedBy) => (
            <Select
              id={id}
              aria-describedby={describedBy}
              value={chosen}
              onChange={(event) => setProvider(event.target.value as Provider)}
            >
              {choices.map((item) => (
                <option key={item} value={item}>
                  {providerLabels[item]}
                  {item === configured && item !== "replay" ? " (configured)" : ""}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <div className="space-y-1.5">
          <label htmlFor={concurrencyId} className="block text-sm font-medium">
            Agents at once: <span className="tabular-nums">{agents}</span>
          </label>
          <input
            id={concurrencyId}
            type="range"
            min={1}
            max={cap}
            value={Math.min(agents, cap)}
            onChange={(event) => setConcurrency(Number(event.target.value))}
            className="h-9 w-full accent-[var(--accent)]"
          />
          <p className="text-xs text-muted">Up to {cap} (the cap is in Settings).</p>
        </div>
      </div>
      <div className="space-y-1">
        <Switch label="YOLO mode" checked={yoloOn} onCheckedChange={setYolo} />
        <p className="text-xs text-muted">
          No tests and no testing agents: features pass on lint and type-check. Faster, less sure.
        </p>
      </div>

      {start.isError ? (
        <p role="alert" className="text-sm text-status-failed-strong">
          The run could not start: {errorMessage(start.error)}
        </p>
      ) : null}

      <StepButtons>
        <Button onClick={() => navigate({ kind: "project", project: project.name, view: "dashboard" })}>
          Open without starting
        </Button>
        <Button
          variant="primary"
          disabled={start.isPending}
          onClick={() =>
            start.mutate({
              provider: chosen,
              concurrency: Math.min(agents, cap),
              yolo: yoloOn,
              ...(chosen === "replay" ? { replayLatencyMs: 1_200 } : {}),
            })
          }
        >
          <Rocket aria-hidden />
          {start.isPending ? "Starting…" : "Start building"}
        </Button>
      </StepButtons>
    </Card>
  );
}
