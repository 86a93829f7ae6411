/**
 * The Assistant view (key A): two kinds of chat about the open project. "Ask" is the assistant (it reads the
 * project and the backlog and answers; it cannot write files or run commands); "Expand the backlog" reads the spec
 * and adds features through the backlog tools. Each mode lists its conversations (select, delete, new). The
 * features a chat added are counted from the board (the store's `feature.created` events), never guessed.
 */
import type { ChatKind, ChatServerFrame, ChatSummary } from "@autowright/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ListPlus, MessageSquarePlus, MessagesSquare, Sparkles, Trash2 } from "lucide-react";
import { useCallback, useMemo, useState } from "react";
import { createChat, deleteChat, listChats } from "../../api/chats.ts";
import { errorMessage } from "../../api/client.ts";
import { navigate, useRoute } from "../../app/router.ts";
import { cn } from "../../lib/cn.ts";
import { formatRelative } from "../../lib/format.ts";
import { useNow } from "../../lib/use-now.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { ConfirmDialog } from "../../ui/confirm-dialog.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { ChatView } from "./chat-view.tsx";

type Mode = Extract<ChatKind, "assistant" | "expand">;

const modes: Record<Mode, { label: string; title: string; description: string; placeholder: string }> = {
  assistant: {
    label: "Ask",
    title: "Ask about the project",
    description: "Questions about the spec, the code and the backlog. It reads; it never edits code.",
    placeholder: "Ask about the project…",
  },
  expand: {
    label: "Expand the backlog",
    title: "Expand the backlog",
    description: "Describe what is missing; it adds features (with dependencies) to the board.",
    placeholder: "What should the app also do?",
  },
};

/** The query key of a project's chat list. */
export const chatListQueryKey = (project: string) => ["chats", project, "list"] as const;

/** The project's assistant and backlog-expansion chats. */
export function AssistantView() {
  const project = useProjectStore().project;
  const queryClient = useQueryClient();
  const { notifyError } = useNotify();
  const [mode, setMode] = useState<Mode>("assistant");
  const [chosen, setChosen] = useState<Partial<Record<Mode, string>>>({});
  const [deleting, setDeleting] = useState<ChatSummary | undefined>(undefined);
  const [createError, setCreateError] = useState<string | undefined>(undefined);
  const list = useQuery({ queryKey: chatListQueryKey(project), queryFn: () => listChats(project) });
  const chats = useMemo(
    () => (list.data?.chats ?? []).filter((chat) => chat.kind === mode),
    [list.data, mode],
  );
  const selectedId = chosen[mode] ?? chats[0]?.id;
  const selected = chats.find((chat) => chat.id === selectedId);

  const create = useMutation({
    mutationFn: (kind: Mode) => createChat(project, kind),
    onMutate: () => setCreateError(undefined),
    onSuccess: ({ chat }, kind) => {
      queryClient.setQueryData(chatListQueryKey(project), (old: { chats: ChatSummary[] } | undefined) => ({
        chats: [chat, ...(old?.chats ?? [])],
      }));
      setChosen((current) => ({ ...current, [kind]: chat.id }));
    },
    onError: (error) => setCreateError(errorMessage(error)),
  });
  const remove = useMutation({
    mutationFn: (chat: ChatSummary) => deleteChat(project, chat.id),
    onSuccess: (_answer, chat) => {
      queryClient.setQueryData(chatListQueryKey(project), (old: { chats: ChatSummary[] } | undefined) => ({
        chats: (old?.chats ?? []).filter((item) => item.id !== chat.id),
      }));
      setChosen((current) => {
        const next = { ...current };
        if (next[chat.kind as Mode] === chat.id) delete next[chat.kind as Mode];
        return next;
      });
      setDeleting(undefined);
    },
    onError: (error) => notifyError("The conversation could not be deleted", error),
  });
  const onFrame = useCallback(
    (frame: ChatServerFrame) => {
      // The first message names the chat and every answer moves it up the list.
      if (frame.type === "chat.message.completed")
        void queryClient.invalidateQueries({ queryKey: chatListQueryKey(project) });
    },
    [queryClient, project],
  );

  return (
    <div className="flex h-full min-h-0" data-testid="assistant-view">
      <aside
        aria-label="Conversations"
        className="flex w-72 shrink-0 flex-col border-r border-border bg-surface max-lg:w-60"
      >
        <div className="space-y-3 border-b border-border p-3">
          <fieldset aria-label="Mode" className="grid grid-cols-2 gap-1 rounded-lg bg-surface-muted p-1">
            {(Object.keys(modes) as Mode[]).map((id) => (
              <button
                key={id}
                type="button"
                aria-pressed={mode === id}
                onClick={() => {
                  setMode(id);
                  setCreateError(undefined);
                }}
                className={cn(
                  "rounded-md px-2 py-1.5 text-xs font-medium transition-colors",
                  mode === id ? "bg-surface text-foreground shadow-sm" : "text-muted hover:text-foreground",
                )}
              >
                {id === "assistant" ? "Ask" : "Expand backlog"}
              </button>
            ))}
          </fieldset>
          <p className="text-xs text-muted">{modes[mode].description}</p>
          <Button
            className="w-full"
            variant="primary"
            onClick={() => create.mutate(mode)}
            disabled={create.isPending}
          >
            <MessageSquarePlus aria-hidden />
            New chat
          </Button>
          {createError === undefined ? null : (
            <p role="alert" className="text-xs text-status-failed">
              {createError}
            </p>
          )}
        </div>
        <ChatList
          chats={chats}
          loading={list.isPending}
          error={list.isError ? errorMessage(list.error) : undefined}
          onRetry={() => void list.refetch()}
          selectedId={selectedId}
          onSelect={(id) => setChosen((current) => ({ ...current, [mode]: id }))}
          onDelete={setDeleting}
        />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        {selected === undefined ? (
          <EmptyMode
            mode={mode}
            busy={create.isPending}
            onStart={() => create.mutate(mode)}
            loading={list.isPending}
          />
        ) : (
          <>
            <SelectedHeader chat={selected} />
            <SelectedChat key={selected.id} project={project} chat={selected} onFrame={onFrame} />
          </>
        )}
      </div>
      <ConfirmDialog
        open={deleting !== undefined}
        onOpenChange={(open) => {
          if (!open) setDeleting(undefined);
        }}
        title="Delete this conversation?"
        confirmLabel="Delete"
        danger
        busy={remove.isPending}
        onConfirm={() => {
          if (deleting !== undefined) remove.mutate(deleting);
        }}
      >
        <p>
          “{deleting?.title}” and its history are removed. Features it added stay on the board. A running
          answer is stopped.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function ChatList(props: {
  readonly chats: readonly ChatSummary[];
  readonly loading: boolean;
  readonly error: string | undefined;
  readonly onRetry: () => void;
  readonly selectedId: string | undefined;
  readonly onSelect: (id: string) => void;
  readonly onDelete: (chat: ChatSummary) => void;
}) {
  const now = useNow(30_000);
  if (props.error !== undefined)
    return (
      <div role="alert" className="space-y-2 p-3 text-sm">
        <p className="text-status-failed">The conversations could not be loaded: {props.error}</p>
        <Button size="sm" onClick={props.onRetry}>
          Try again
        </Button>
      </div>
    );
  if (props.loading) return <p className="p-3 text-sm text-muted">Loading conversations…</p>;
  if (props.chats.length === 0) return <p className="p-3 text-sm text-muted">No conversations yet.</p>;
  return (
    <ul className="min-h-0 flex-1 space-y-0.5 overflow-y-auto p-2" aria-label="Conversation history">
      {props.chats.map((chat) => {
        const current = chat.id === props.selectedId;
        return (
          <li key={chat.id} className="group relative">
            <button
              type="button"
              aria-current={current ? "true" : undefined}
              onClick={() => props.onSelect(chat.id)}
              className={cn(
                "w-full rounded-md py-2 pr-9 pl-2.5 text-left",
                current ? "bg-accent-soft" : "hover:bg-surface-muted",
              )}
            >
              <span className={cn("block truncate text-sm", current && "font-medium text-accent")}>
                {chat.title}
              </span>
              <span className="mt-0.5 flex items-center gap-1.5 text-xs text-muted">
                <span>{formatRelative(chat.updatedAt, now)}</span>
                <span aria-hidden>·</span>
                <span>
                  {chat.messageCount} {chat.messageCount === 1 ? "message" : "messages"}
                </span>
                {chat.status === "running" ? <Badge tone="progress">answering</Badge> : null}
                {chat.status === "waiting_for_answer" ? <Badge tone="input">asks you</Badge> : null}
              </span>
            </button>
            <button
              type="button"
              onClick={() => props.onDelete(chat)}
              aria-label={`Delete “${chat.title}”`}
              className="absolute top-2 right-1.5 rounded p-1 text-muted opacity-0 group-hover:opacity-100 hover:bg-surface hover:text-status-failed focus-visible:opacity-100"
            >
              <Trash2 className="size-4" aria-hidden />
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function EmptyMode(props: {
  readonly mode: Mode;
  readonly busy: boolean;
  readonly loading: boolean;
  readonly onStart: () => void;
}) {
  const Icon = props.mode === "assistant" ? Sparkles : ListPlus;
  if (props.loading) return <p className="p-8 text-center text-sm text-muted">Loading…</p>;
  return (
    <div className="flex flex-1 items-center justify-center p-6">
      <div className="max-w-sm space-y-3 text-center">
        <span className="mx-auto flex size-12 items-center justify-center rounded-xl bg-accent-soft text-accent">
          <Icon className="size-6" aria-hidden />
        </span>
        <h2 className="text-base font-semibold">{modes[props.mode].title}</h2>
        <p className="text-sm text-muted">{modes[props.mode].description}</p>
        <Button variant="primary" onClick={props.onStart} disabled={props.busy}>
          <MessageSquarePlus aria-hidden />
          Start a conversation
        </Button>
      </div>
    </div>
  );
}

function SelectedHeader(props: { readonly chat: ChatSummary }) {
  return (
    <div className="flex min-h-12 items-center gap-2 border-b border-border bg-surface px-4 py-2">
      <MessagesSquare className="size-4 shrink-0 text-accent" aria-hidden />
      <h2 className="min-w-0 flex-1 truncate text-sm font-semibold">{props.chat.title}</h2>
      <span className="text-xs text-muted">
        {modes[props.chat.kind === "expand" ? "expand" : "assistant"].label}
      </span>
    </div>
  );
}

function SelectedChat(props: {
  readonly project: string;
  readonly chat: ChatSummary;
  readonly onFrame: (frame: ChatServerFrame) => void;
}) {
  const features = useProjectView((view) => view.features);
  const [added, setAdded] = useState<readonly number[]>([]);
  const onBoard = useMemo(() => added.filter((id) => features.has(id)), [added, features]);
  const renderFeatures = useCallback((ids: readonly number[]) => <AddedFeatures ids={ids} />, []);
  const kind = props.chat.kind === "expand" ? "expand" : "assistant";
  return (
    <div className="flex min-h-0 flex-1 flex-col">
      {added.length === 0 ? null : (
        <p
          className="flex items-center gap-2 border-b border-border bg-accent-soft px-4 py-1.5 text-sm"
          data-testid="features-added"
        >
          <ListPlus className="size-4 text-accent" aria-hidden />
          <span>
            <span className="font-semibold">{onBoard.length}</span>{" "}
            {onBoard.length === 1 ? "feature" : "features"} added to the board by this chat
            {onBoard.length < added.length ? ` (${added.length - onBoard.length} no longer on it)` : ""}
          </span>
        </p>
      )}
      <ChatView
        project={props.project}
        chatId={props.chat.id}
        onFrame={props.onFrame}
        onAddedFeatures={setAdded}
        renderFeatures={renderFeatures}
        placeholder={modes[kind].placeholder}
        emptyState={
          <div className="mx-auto max-w-md space-y-2 text-center text-sm text-muted">
            <p className="text-base font-medium text-foreground">{modes[kind].title}</p>
            <p>{modes[kind].description}</p>
          </div>
        }
      />
    </div>
  );
}

/** The features a chat added, named from the board, each opening its detail. */
function AddedFeatures(props: { readonly ids: readonly number[] }) {
  const features = useProjectView((view) => view.features);
  const route = useRoute();
  const project = useProjectStore().project;
  const view = route.kind === "project" ? route.view : "assistant";
  return (
    <ul className="flex flex-wrap gap-1.5">
      {props.ids.map((id) => {
        const feature = features.get(id);
        return (
          <li key={id}>
            <button
              type="button"
              onClick={() => navigate({ kind: "project", project, view, featureId: id })}
              className="inline-flex max-w-64 items-center gap-1 rounded-md border border-border bg-surface px-2 py-0.5 text-xs hover:border-accent"
            >
              <span className="font-mono text-muted">#{id}</span>
              <span className="truncate">{feature?.name ?? "not on the board yet"}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
