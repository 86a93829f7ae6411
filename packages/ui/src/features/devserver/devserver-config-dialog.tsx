/**
 * The dev server's command: what was detected (and from where), the custom one (set, changed or cleared), and what
 * `start` will run. Saving applies from the next start; "Save and start" restarts it at once.
 */
import type { DevServerConfig } from "@autowright/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Loader2 } from "lucide-react";
import { useEffect, useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { getDevServerConfig, putDevServerConfig } from "../../api/devserver.ts";
import { useProjectStore } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { Field, Input } from "../../ui/field.tsx";
import { useNotify } from "../../ui/notices.tsx";
import {
  devServerConfigQueryKey,
  devServerStatusLabels,
  useDevServerActions,
  useDevServerState,
  useDevServerStatus,
} from "./use-devserver.ts";

/** An argument vector as one readable command line. */
export function commandLine(argv: readonly string[]): string {
  return argv
    .map((argument) => (/^[\w@%+=:,./$-]+$/.test(argument) ? argument : JSON.stringify(argument)))
    .join(" ");
}

/** The configuration dialog. */
export function DevServerConfigDialog(props: {
  readonly open: boolean;
  readonly onOpenChange: (open: boolean) => void;
}) {
  const project = useProjectStore().project;
  const queryClient = useQueryClient();
  const { notify } = useNotify();
  const config = useQuery({
    queryKey: devServerConfigQueryKey(project),
    queryFn: () => getDevServerConfig(project),
    enabled: props.open,
    staleTime: 0,
  });
  const state = useDevServerState(props.open);
  const live = useDevServerStatus();
  const actions = useDevServerActions();
  const [command, setCommand] = useState("");
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const loaded = config.data;

  useEffect(() => {
    if (props.open && loaded !== undefined) setCommand(loaded.command ?? "");
  }, [props.open, loaded]);
  useEffect(() => {
    if (!props.open) setFieldError(undefined);
  }, [props.open]);

  const save = useMutation({
    mutationFn: (value: string | null) => putDevServerConfig(project, value),
    onSuccess: (next: DevServerConfig) => {
      queryClient.setQueryData(devServerConfigQueryKey(project), next);
      setFieldError(next.commandError);
    },
    onError: (error) => setFieldError(errorMessage(error)),
  });

  const submit = async (andStart: boolean) => {
    setFieldError(undefined);
    const value = command.trim() === "" ? null : command.trim();
    let next: DevServerConfig;
    try {
      next = await save.mutateAsync(value);
    } catch {
      return;
    }
    if (next.commandError !== undefined) return;
    if (andStart) {
      props.onOpenChange(false);
      await actions.restart(live.status === "running" || live.status === "starting");
    } else {
      notify({
        tone: "success",
        title: value === null ? "The custom command is cleared" : "The dev command is saved",
        message: "It applies from the next start.",
      });
      props.onOpenChange(false);
    }
  };

  const status = devServerStatusLabels[live.status];
  const last = state.data;
  return (
    <Dialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title="Dev server"
      description="The app the agents are building, run on a free port of this machine."
      footer={
        <>
          <Button onClick={() => props.onOpenChange(false)}>Cancel</Button>
          <Button onClick={() => void submit(false)} disabled={loaded === undefined || save.isPending}>
            Save
          </Button>
          <Button
            variant="primary"
            onClick={() => void submit(true)}
            disabled={loaded === undefined || save.isPending || actions.busy}
          >
            {save.isPending || actions.busy ? <Loader2 className="animate-spin" aria-hidden /> : null}
            {live.status === "running" ? "Save and restart" : "Save and start"}
          </Button>
        </>
      }
    >
      {config.isError ? (
        <div role="alert" className="space-y-2 text-sm">
          <p className="font-medium text-status-failed">The configuration could not be loaded</p>
          <p className="text-muted">{errorMessage(config.error)}</p>
          <Button size="sm" onClick={() => void config.refetch()}>
            Try again
          </Button>
        </div>
      ) : loaded === undefined ? (
        <p className="flex items-center gap-2 text-sm text-muted">
          <Loader2 className="size-4 animate-spin" aria-hidden />
          Loading the configuration…
        </p>
      ) : (
        <form
          className="space-y-4 text-sm"
          onSubmit={(event) => {
            event.preventDefault();
            void submit(false);
          }}
        >
          <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-2">
            <dt className="text-muted">Status</dt>
            <dd>
              {status.label}
              {live.url !== undefined && live.status === "running" ? ` at ${live.url}` : ""}
              {live.status === "crashed" && last?.exitCode !== undefined
                ? ` (exit code ${last.exitCode})`
                : ""}
              {live.status === "crashed" && last?.exitSignal !== undefined ? ` (${last.exitSignal})` : ""}
            </dd>
            <dt className="text-muted">Detected</dt>
            <dd>
              {loaded.detected === null ? (
                <span className="text-muted">
                  {loaded.notDetectedReason ?? "Nothing recognised in the project."}
                </span>
              ) : (
                <>
                  <code className="rounded bg-surface-muted px-1.5 py-0.5 font-mono text-xs">
                    {commandLine(loaded.detected)}
                  </code>
                  {loaded.detectedFrom === undefined ? null : (
                    <span className="ml-2 text-xs text-muted">from {loaded.detectedFrom}</span>
                  )}
                </>
              )}
            </dd>
            <dt className="text-muted">Runs</dt>
            <dd>
              {loaded.effective === null ? (
                <span className="text-status-failed">Nothing: set a custom command.</span>
              ) : (
                <code className="rounded bg-surface-muted px-1.5 py-0.5 font-mono text-xs">
                  {commandLine(loaded.effective)}
                </code>
              )}
            </dd>
          </dl>
          <Field
            label="Custom command"
            error={fieldError ?? loaded.commandError}
            hint="One line, run without a shell. $PORT and $HOST are replaced with the port and address it must listen on. Empty: the detected command."
          >
            {(id, describedBy) => (
              <div className="flex gap-2">
                <Input
                  id={id}
                  aria-describedby={describedBy}
                  aria-invalid={fieldError !== undefined || loaded.commandError !== undefined}
                  className="font-mono"
                  placeholder={
                    loaded.detected === null ? "npm run dev -- --port $PORT" : commandLine(loaded.detected)
                  }
                  value={command}
                  onChange={(event) => setCommand(event.target.value)}
                  maxLength={1000}
                />
                {loaded.command === null ? null : (
                  <Button
                    onClick={() => {
                      setCommand("");
                      save.mutate(null, {
                        onSuccess: () => notify({ tone: "success", title: "The custom command is cleared" }),
                      });
                    }}
                    disabled={save.isPending}
                  >
                    Use detected
                  </Button>
                )}
              </div>
            )}
          </Field>
        </form>
      )}
    </Dialog>
  );
}
