/**
 * The spec interview: resumes the project's latest spec chat (or starts one), and once the chat has written the
 * app spec (`chat.spec.written`, or `specWritten` in its saved summary) shows the "Spec complete → Start building"
 * step: the target feature count, the spec to read, the YOLO setting, and the button that hands over to the run.
 */
import type { ChatServerFrame, ChatSummary } from "@autowright/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowRight, CheckCircle2, FileText, MessagesSquare, RotateCcw, Sparkles } from "lucide-react";
import { useCallback, useId, useState } from "react";
import { createChat, listChats } from "../../api/chats.ts";
import { errorMessage } from "../../api/client.ts";
import { getPrompts, getSettings, patchSettings } from "../../api/settings.ts";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { Switch } from "../../ui/switch.tsx";
import { ChatMarkdown } from "./chat-markdown.tsx";
import { ChatView } from "./chat-view.tsx";

/** The query key of a project's spec chat (the one resumed or started). */
export const specChatQueryKey = (project: string) => ["chats", project, "spec-session"] as const;

/** The latest spec chat of `project`, started when there is none. */
async function openSpecChat(project: string): Promise<ChatSummary> {
  const { chats } = await listChats(project);
  const latest = chats.find((chat) => chat.kind === "spec");
  if (latest !== undefined) return latest;
  return (await createChat(project, "spec")).chat;
}

/** The spec interview of `project`; `onComplete` starts building (the caller starts the run or opens the board). */
export function SpecChat(props: { readonly project: string; readonly onComplete: () => void }) {
  const { project } = props;
  const queryClient = useQueryClient();
  const { notifyError } = useNotify();
  const session = useQuery({
    queryKey: specChatQueryKey(project),
    queryFn: () => openSpecChat(project),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const [written, setWritten] = useState<{ chatId: string; path: string; featureCount: number } | undefined>(
    undefined,
  );
  const restart = useMutation({
    mutationFn: () => createChat(project, "spec"),
    onSuccess: ({ chat }) => {
      setWritten(undefined);
      queryClient.setQueryData(specChatQueryKey(project), chat);
    },
    onError: (error) => notifyError("A new interview could not be started", error),
  });

  const chat = session.data;
  const chatId = chat?.id;
  const onFrame = useCallback(
    (frame: ChatServerFrame) => {
      if (frame.type === "chat.spec.written" && chatId !== undefined)
        setWritten({ chatId, path: frame.path, featureCount: frame.featureCount });
    },
    [chatId],
  );
  const spec =
    written !== undefined && written.chatId === chatId
      ? written
      : chat?.specWritten === null || chat === undefined
        ? undefined
        : chat.specWritten;

  return (
    <div data-testid="spec-chat" className="flex h-full min-h-0 flex-col bg-background">
      <header className="flex flex-wrap items-center gap-3 border-b border-border bg-surface px-4 py-3">
        <span
          aria-hidden
          className="flex size-9 items-center justify-center rounded-lg bg-accent-soft text-accent"
        >
          <MessagesSquare className="size-5" />
        </span>
        <div className="mr-auto min-w-0">
          <h2 className="text-base font-semibold">Spec interview</h2>
          <p className="text-sm text-muted">
            Describe your app and answer a few questions; the assistant writes the spec and how many features
            to build.
          </p>
        </div>
        {chat === undefined ? null : (
          <Button size="sm" variant="ghost" onClick={() => restart.mutate()} disabled={restart.isPending}>
            <RotateCcw aria-hidden />
            New interview
          </Button>
        )}
      </header>
      {session.isError ? (
        <div
          role="alert"
          className="m-4 space-y-3 rounded-lg border border-status-failed/40 bg-status-soft-failed p-4 text-sm"
        >
          <p>
            <span className="font-medium">The interview could not be started: </span>
            {errorMessage(session.error)}
          </p>
          <Button size="sm" onClick={() => session.refetch()}>
            Try again
          </Button>
        </div>
      ) : chat === undefined ? (
        <p className="p-8 text-center text-sm text-muted">Starting the interview…</p>
      ) : (
        <ChatView
          key={chat.id}
          project={project}
          chatId={chat.id}
          onFrame={onFrame}
          placeholder="Describe the app you want to build…"
          emptyState={<SpecIntro />}
          suggestions={specSuggestions}
          aside={
            spec === undefined ? undefined : (
              <SpecComplete
                project={project}
                featureCount={spec.featureCount}
                path={spec.path}
                onStart={props.onComplete}
              />
            )
          }
        />
      )}
    </div>
  );
}

const specSuggestions = [
  "A todo app with tags and due dates, for a small team",
  "A recipe site: search by ingredient, save favourites",
  "A REST API for booking meeting rooms",
];

function SpecIntro() {
  return (
    <div className="mx-auto max-w-md space-y-3 text-center text-sm text-muted">
      <span
        aria-hidden
        className="mx-auto flex size-12 items-center justify-center rounded-2xl bg-accent-soft text-accent"
      >
        <Sparkles className="size-6" />
      </span>
      <p className="text-base font-medium text-foreground">What are we building?</p>
      <p>
        Start with a sentence or two: who it is for, what it does, what it runs on. Screenshots or sketches
        help: paste or drop them here.
      </p>
      <p>The assistant asks what it needs to know, then writes the spec. It never touches your code.</p>
    </div>
  );
}

function SpecComplete(props: {
  readonly project: string;
  readonly featureCount: number;
  readonly path: string;
  readonly onStart: () => void;
}) {
  const [viewing, setViewing] = useState(false);
  const titleId = useId();
  return (
    <section
      data-testid="spec-complete"
      aria-labelledby={titleId}
      className="mx-auto max-w-3xl space-y-2.5 rounded-xl 2xl:max-w-4xl border border-status-done/50 bg-status-soft-done px-4 py-3 shadow-sm"
    >
      <div className="flex flex-wrap items-center gap-3">
        <CheckCircle2 className="size-7 shrink-0 text-status-done" aria-hidden />
        <div className="min-w-0 flex-1">
          <h3 id={titleId} className="font-semibold">
            Spec complete → Start building
          </h3>
          <p className="text-sm text-muted">
            Target: <span className="font-medium text-foreground">{props.featureCount}</span>{" "}
            {props.featureCount === 1 ? "feature" : "features"} ·{" "}
            <button
              type="button"
              onClick={() => setViewing(true)}
              className="inline-flex items-center gap-1 font-medium text-accent hover:underline"
            >
              <FileText className="size-3.5" aria-hidden />
              View the spec
            </button>
          </p>
        </div>
        <Button variant="primary" onClick={props.onStart}>
          Start building
          <ArrowRight aria-hidden />
        </Button>
      </div>
      <div className="border-t border-status-done/30 pt-2.5 pl-10">
        <YoloSwitch />
      </div>
      <SpecDialog project={props.project} path={props.path} open={viewing} onOpenChange={setViewing} />
    </section>
  );
}

/** YOLO is a setting (the runs read it): the switch changes it at once. */
function YoloSwitch() {
  const queryClient = useQueryClient();
  const { notifyError } = useNotify();
  const settings = useQuery({ queryKey: ["settings"], queryFn: getSettings });
  const change = useMutation({
    mutationFn: (yolo: boolean) => patchSettings({ yolo }),
    onSuccess: (answer) => queryClient.setQueryData(["settings"], answer),
    onError: (error) => notifyError("YOLO mode could not be changed", error),
  });
  const checked = change.isPending ? change.variables : (settings.data?.settings.yolo ?? false);
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
      <Switch
        label="YOLO mode"
        checked={checked}
        disabled={settings.data === undefined || change.isPending}
        onCheckedChange={(value) => change.mutate(value)}
      />
      <span className="text-xs text-muted">
        {settings.isError
          ? `The settings could not be loaded: ${errorMessage(settings.error)}`
          : "No tests and no testing agents: features pass on the project's lint and type-check. Faster, less sure."}
      </span>
    </div>
  );
}

function SpecDialog(props: {
  readonly project: string;
  readonly path: string;
  readonly open: boolean;
  readonly onOpenChange: (open: boolean) => void;
}) {
  const prompts = useQuery({
    queryKey: ["prompts", props.project],
    queryFn: () => getPrompts(props.project),
    enabled: props.open,
    staleTime: 0,
  });
  const spec = prompts.data?.prompts["app-spec"];
  return (
    <Dialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title="The app spec"
      description={props.path}
      wide
    >
      {prompts.isError ? (
        <p role="alert" className="text-sm text-status-failed">
          The spec could not be loaded: {errorMessage(prompts.error)}
        </p>
      ) : prompts.data === undefined ? (
        <p className="text-sm text-muted">Loading the spec…</p>
      ) : spec === undefined ? (
        <p className="text-sm text-muted">The project has no spec file.</p>
      ) : (
        <ChatMarkdown text={spec} />
      )}
    </Dialog>
  );
}
