/**
 * The project's "⋯" menu in the header: reset (quick or full, with what each deletes and keeps) and delete
 * (unregisters; the files stay). Both are refused while a run is active, and say so; server errors are shown in
 * the dialog.
 */
import type { RunStatus } from "@autowright/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { MoreHorizontal, RotateCcw, Trash2 } from "lucide-react";
import { DropdownMenu } from "radix-ui";
import { useId, useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { deleteProject, getProject, resetProject } from "../../api/projects.ts";
import { navigate } from "../../app/router.ts";
import { cn } from "../../lib/cn.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { ConfirmDialog } from "../../ui/confirm-dialog.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { projectsQueryKey } from "./projects-query.ts";

const activeStatuses: ReadonlySet<RunStatus> = new Set([
  "starting",
  "running",
  "draining",
  "paused",
  "rate_limited",
]);

const itemClass =
  "flex cursor-pointer items-center gap-2 rounded-md px-2 py-1.5 text-sm outline-none select-none data-[highlighted]:bg-surface-muted";

/** The menu of the open project. */
export function ProjectMenu() {
  const project = useProjectStore().project;
  const runStatus = useProjectView((view) => view.live.snapshot.run.status);
  const runActive = activeStatuses.has(runStatus);
  const [dialog, setDialog] = useState<"reset" | "delete" | undefined>(undefined);
  return (
    <>
      <DropdownMenu.Root modal={false}>
        <DropdownMenu.Trigger asChild>
          <Button size="icon" variant="ghost" aria-label={`Project actions for ${project}`}>
            <MoreHorizontal aria-hidden />
          </Button>
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content
            align="end"
            sideOffset={6}
            className="z-50 min-w-48 rounded-lg border border-border bg-surface p-1 text-foreground shadow-lg"
          >
            <DropdownMenu.Item className={itemClass} onSelect={() => setDialog("reset")}>
              <RotateCcw className="size-4 text-muted" aria-hidden />
              Reset project…
            </DropdownMenu.Item>
            <DropdownMenu.Separator className="my-1 h-px bg-border" />
            <DropdownMenu.Item
              className={cn(itemClass, "text-status-failed-strong")}
              onSelect={() => setDialog("delete")}
            >
              <Trash2 className="size-4" aria-hidden />
              Delete project…
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <ResetDialog
        project={project}
        runActive={runActive}
        open={dialog === "reset"}
        onOpenChange={(open) => setDialog(open ? "reset" : undefined)}
      />
      <DeleteDialog
        project={project}
        runActive={runActive}
        open={dialog === "delete"}
        onOpenChange={(open) => setDialog(open ? "delete" : undefined)}
      />
    </>
  );
}

const resetModes = [
  {
    mode: "quick",
    label: "Quick reset",
    summary: "Start the backlog over with the same spec.",
    deleted: [
      "every feature, with its dependencies, evidence and answers",
      "the sessions and their logs",
      "the event history (activity, progress chart)",
    ],
    kept: ["the app spec and the prompts", "the code and its git history", "the settings"],
  },
  {
    mode: "full",
    label: "Full reset",
    summary: "Start over from a blank spec.",
    deleted: [
      "everything a quick reset deletes",
      "the app spec (back to the template)",
      "the prompts (back to the defaults)",
    ],
    kept: ["the code and its git history", "the settings"],
  },
] as const;

function RunActiveNote(props: { readonly action: string }) {
  return (
    <p
      role="alert"
      className="rounded-lg border border-status-input/40 bg-status-soft-input px-3 py-2 text-sm text-status-input-strong"
    >
      A run is active: stop it before {props.action} the project.
    </p>
  );
}

function ResetDialog(props: {
  readonly project: string;
  readonly runActive: boolean;
  readonly open: boolean;
  readonly onOpenChange: (open: boolean) => void;
}) {
  const queryClient = useQueryClient();
  const { notify } = useNotify();
  const [mode, setMode] = useState<"quick" | "full">("quick");
  const groupId = useId();
  const reset = useMutation({
    mutationFn: () => resetProject(props.project, mode),
    onSuccess: (answer) => {
      void queryClient.invalidateQueries({ queryKey: projectsQueryKey });
      void queryClient.invalidateQueries({ queryKey: ["project", props.project] });
      notify({
        tone: "success",
        title: `${props.project} was reset`,
        message: `${answer.removedFeatures} ${answer.removedFeatures === 1 ? "feature" : "features"} removed${answer.mode === "full" ? "; the spec is the template again" : ""}.`,
      });
      props.onOpenChange(false);
    },
  });
  const openChange = (open: boolean) => {
    if (!open) reset.reset();
    props.onOpenChange(open);
  };
  return (
    <Dialog
      open={props.open}
      onOpenChange={openChange}
      title={`Reset ${props.project}?`}
      description="The code and its git history are never touched."
      footer={
        <>
          <Button onClick={() => openChange(false)}>Cancel</Button>
          <Button
            variant="danger"
            onClick={() => reset.mutate()}
            disabled={reset.isPending || props.runActive}
          >
            {reset.isPending ? "Resetting…" : mode === "quick" ? "Quick reset" : "Full reset"}
          </Button>
        </>
      }
    >
      <div className="space-y-3 text-sm">
        {props.runActive ? <RunActiveNote action="resetting" /> : null}
        <div role="radiogroup" aria-labelledby={groupId} className="space-y-2">
          <p id={groupId} className="sr-only">
            Reset mode
          </p>
          {resetModes.map((option) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/noStaticElementInteractions: the radio inside is the keyboard control; the box is a bigger target for the pointer.
            <div
              key={option.mode}
              onClick={() => setMode(option.mode)}
              className={cn(
                "cursor-pointer rounded-lg border p-3 has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring",
                mode === option.mode
                  ? "border-accent bg-accent-soft"
                  : "border-border hover:bg-surface-muted",
              )}
            >
              <label className="flex cursor-pointer items-center gap-2">
                <input
                  type="radio"
                  name="reset-mode"
                  value={option.mode}
                  checked={mode === option.mode}
                  onChange={() => setMode(option.mode)}
                  aria-describedby={`${groupId}-${option.mode}`}
                  className="accent-[var(--accent)]"
                />
                <span className="font-medium">{option.label}</span>
                <span className="text-muted">· {option.summary}</span>
              </label>
              <div id={`${groupId}-${option.mode}`} className="mt-2 grid gap-3 pl-6 sm:grid-cols-2">
                <div>
                  <p className="text-xs font-medium text-status-failed-strong">Deleted</p>
                  <ul className="mt-0.5 list-disc space-y-0.5 pl-4 text-xs text-muted">
                    {option.deleted.map((item) => (
                      <li key={item}>{item}</li>
                    ))}
                  </ul>
                </div>
                <div>
                  <p className="text-xs font-medium text-status-done-strong">Kept</p>
                  <ul className="mt-0.5 list-disc space-y-0.5 pl-4 text-xs text-muted">
                    {option.kept.map((item) => (
                      <li key={item}>{item}</li>
                    ))}
                  </ul>
                </div>
              </div>
            </div>
          ))}
        </div>
        {reset.isError ? (
          <p role="alert" className="text-sm text-status-failed-strong">
            The reset was refused: {errorMessage(reset.error)}
          </p>
        ) : null}
      </div>
    </Dialog>
  );
}

function DeleteDialog(props: {
  readonly project: string;
  readonly runActive: boolean;
  readonly open: boolean;
  readonly onOpenChange: (open: boolean) => void;
}) {
  const queryClient = useQueryClient();
  const { notify } = useNotify();
  const detail = useQuery({
    queryKey: ["project", props.project],
    queryFn: () => getProject(props.project),
    enabled: props.open,
  });
  const remove = useMutation({
    mutationFn: () => deleteProject(props.project),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: ["project", props.project] });
      void queryClient.invalidateQueries({ queryKey: projectsQueryKey });
      notify({
        tone: "success",
        title: `${props.project} was removed`,
        message: "Its files are still there.",
      });
      props.onOpenChange(false);
      navigate({ kind: "home" });
    },
  });
  const path = detail.data?.project.path;
  return (
    <ConfirmDialog
      open={props.open}
      onOpenChange={(open) => {
        if (!open) remove.reset();
        props.onOpenChange(open);
      }}
      title={`Delete ${props.project}?`}
      confirmLabel={remove.isPending ? "Deleting…" : "Delete project"}
      onConfirm={() => remove.mutate()}
      busy={remove.isPending || props.runActive}
      danger
    >
      {props.runActive ? <RunActiveNote action="deleting" /> : null}
      <p>
        This unregisters the project from autowright; <strong>its files stay</strong>
        {path === undefined ? "." : ", in:"}
      </p>
      {path === undefined ? null : (
        <code className="block rounded-md bg-surface-muted px-2 py-1.5 font-mono text-xs [overflow-wrap:anywhere]">
          {path}
        </code>
      )}
      <p className="text-muted">
        Its backlog database stays in the folder too: adding the folder again brings the project back.
      </p>
      {remove.isError ? (
        <p role="alert" className="text-status-failed-strong">
          The project could not be deleted: {errorMessage(remove.error)}
        </p>
      ) : null}
    </ConfirmDialog>
  );
}
