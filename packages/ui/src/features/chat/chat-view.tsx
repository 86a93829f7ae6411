/**
 * The chat UI every chat shares (spec interview, assistant, backlog expansion): the conversation with streaming
 * Markdown, the model's tool calls as chips, its structured questions with option buttons, image attachments
 * (picker, drag-and-drop, paste), the composer (Enter sends, Shift+Enter breaks the line) and the state of the
 * chat's socket. Everything shown comes from the saved history and the socket's frames (`use-chat.ts`).
 */
import type { ChatServerFrame } from "@autowright/protocol";
import {
  AlertTriangle,
  Bot,
  Check,
  CircleHelp,
  FileText,
  ImageIcon,
  ListPlus,
  Paperclip,
  RefreshCw,
  SendHorizontal,
  Square,
  Wrench,
  X,
} from "lucide-react";
import {
  type ClipboardEvent,
  type DragEvent,
  type FormEvent,
  type KeyboardEvent,
  memo,
  type ReactNode,
  type Ref,
  useEffect,
  useId,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { cn } from "../../lib/cn.ts";
import { Button } from "../../ui/button.tsx";
import { acceptedImageTypes, formatBytes, prepareAttachments, type RefusedFile } from "./chat-attachments.ts";
import { type ChatConnectionStatus, type ChatEnvironment, useChatEnvironment } from "./chat-connection.ts";
import { ChatMarkdown } from "./chat-markdown.tsx";
import { addedFeatureIds, type ChatEntry, type ChatPart, type PendingQuestion } from "./chat-state.ts";
import { type ChatController, type ReadyAttachment, useChat } from "./use-chat.ts";

/** Props of {@link ChatView}. */
export interface ChatViewProps {
  readonly project: string;
  readonly chatId: string;
  /** The socket factory and timers (tests); default: the provided {@link ChatEnvironment}, else the browser's. */
  readonly environment?: ChatEnvironment;
  /** Every parsed frame, after it is shown (the spec chat learns of the written spec this way). */
  readonly onFrame?: (frame: ChatServerFrame) => void;
  /** Shown while the conversation is empty. */
  readonly emptyState?: ReactNode;
  /** Example first messages, shown while the conversation is empty; a click puts one in the composer. */
  readonly suggestions?: readonly string[];
  /** The composer's placeholder. */
  readonly placeholder?: string;
  /** Shown between the conversation and the composer (the spec chat's "start building" step). */
  readonly aside?: ReactNode;
  /** How the features a chat added are shown (names and links, where a project store is at hand). */
  readonly renderFeatures?: (ids: readonly number[]) => ReactNode;
  /** The ids of every feature the chat added so far (history and live), whenever they change. */
  readonly onAddedFeatures?: (ids: readonly number[]) => void;
  readonly className?: string;
}

/** A chat: the conversation, the composer and the connection. */
export function ChatView(props: ChatViewProps) {
  const provided = useChatEnvironment();
  const environment = props.environment ?? provided;
  const chat = useChat(props.project, props.chatId, {
    ...(environment === undefined ? {} : { environment }),
    ...(props.onFrame === undefined ? {} : { onFrame: props.onFrame }),
  });
  const [dragging, setDragging] = useState(false);
  const composer = useRef<ComposerHandle>(null);
  const added = useMemo(() => addedFeatureIds(chat.state), [chat.state]);
  const addedKey = added.join(",");
  const onAddedFeatures = useRef(props.onAddedFeatures);
  onAddedFeatures.current = props.onAddedFeatures;
  // biome-ignore lint/correctness/useExhaustiveDependencies: told only when the ids change
  useEffect(() => onAddedFeatures.current?.(added), [addedKey]);

  const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer.types).includes("Files");
  return (
    <section
      aria-label="Chat"
      data-testid="chat-view"
      className={cn("relative flex h-full min-h-0 flex-col", props.className)}
      onDragEnter={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragOver={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      }}
      onDragLeave={(event) => {
        if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
        setDragging(false);
      }}
      onDrop={(event) => {
        if (!hasFiles(event)) return;
        event.preventDefault();
        setDragging(false);
        composer.current?.addFiles(Array.from(event.dataTransfer.files));
      }}
    >
      <Conversation
        chat={chat}
        emptyState={props.emptyState}
        suggestions={props.suggestions}
        onSuggestion={(text) => composer.current?.setText(text)}
        renderFeatures={props.renderFeatures}
      />
      {props.aside === undefined ? null : <div className="shrink-0 px-4 pb-2">{props.aside}</div>}
      <Composer ref={composer} chat={chat} placeholder={props.placeholder} />
      {dragging ? (
        <div
          aria-hidden
          className="pointer-events-none absolute inset-2 z-10 flex items-center justify-center rounded-xl border-2 border-dashed border-accent bg-accent-soft/80 text-sm font-medium text-accent"
        >
          <ImageIcon className="mr-2 size-5" /> Drop images to attach them
        </div>
      ) : null}
    </section>
  );
}

function Conversation(props: {
  readonly chat: ChatController;
  readonly emptyState: ReactNode;
  readonly suggestions: readonly string[] | undefined;
  readonly onSuggestion: (text: string) => void;
  readonly renderFeatures: ((ids: readonly number[]) => ReactNode) | undefined;
}) {
  const { state } = props.chat;
  const list = useRef<HTMLDivElement>(null);
  const stuck = useRef(true);
  const last = state.messages.at(-1);
  const streamingLength = last?.parts.reduce(
    (sum, part) => sum + (part.type === "text" ? part.text.length : 1),
    0,
  );

  // Follows the conversation while the reader is at the bottom; leaves it alone once they scroll up.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run when the content grows
  useLayoutEffect(() => {
    const element = list.current;
    if (element !== null && stuck.current) element.scrollTop = element.scrollHeight;
  }, [state.messages.length, streamingLength, state.question, state.busy]);

  const waitingForFirstWord =
    state.busy && last?.role === "assistant" && last.status === "streaming" && last.parts.length === 0;
  return (
    <div
      ref={list}
      role="log"
      aria-label="Conversation"
      aria-busy={state.busy}
      onScroll={(event) => {
        const element = event.currentTarget;
        stuck.current = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
      }}
      className="min-h-0 flex-1 overflow-y-auto px-4 py-4"
    >
      <div className="mx-auto flex max-w-3xl flex-col gap-4 2xl:max-w-4xl">
        {!state.loaded && state.messages.length === 0 ? (
          <p className="py-10 text-center text-sm text-muted">Loading the conversation…</p>
        ) : state.messages.length === 0 ? (
          <div className="space-y-5 py-10">
            {props.emptyState}
            {props.suggestions === undefined || props.suggestions.length === 0 ? null : (
              <ul className="mx-auto flex max-w-xl flex-wrap justify-center gap-2" aria-label="Suggestions">
                {props.suggestions.map((suggestion) => (
                  <li key={suggestion}>
                    <button
                      type="button"
                      onClick={() => props.onSuggestion(suggestion)}
                      className="rounded-full border border-border bg-surface px-3 py-1.5 text-left text-sm text-foreground hover:border-accent hover:bg-accent-soft"
                    >
                      {suggestion}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        ) : null}
        {state.messages.map((message) =>
          message.role === "user" ? (
            <UserMessage key={message.id} message={message} />
          ) : (
            <AssistantMessage
              key={message.id}
              message={message}
              question={state.question}
              busy={state.busy}
              answering={state.answering !== null}
              onAnswer={props.chat.answer}
              renderFeatures={props.renderFeatures}
              typing={waitingForFirstWord && message === last}
              streaming={state.busy && message === last && message.status === "streaming"}
            />
          ),
        )}
        {state.error === null ? null : (
          <div
            role="alert"
            className="flex items-start gap-2 rounded-lg border border-status-failed/40 bg-status-soft-failed px-3 py-2 text-sm"
          >
            <AlertTriangle className="mt-0.5 size-4 shrink-0 text-status-failed" aria-hidden />
            <p className="min-w-0 flex-1 break-words">{state.error.message}</p>
            <button
              type="button"
              onClick={props.chat.dismissError}
              aria-label="Dismiss the error"
              className="rounded p-0.5 text-muted hover:text-foreground"
            >
              <X className="size-4" aria-hidden />
            </button>
          </div>
        )}
      </div>
    </div>
  );
}

const UserMessage = memo(function UserMessage(props: { readonly message: ChatEntry }) {
  return (
    <div className="flex justify-end" data-testid="chat-message" data-role="user">
      <div className="max-w-[85%] space-y-2 rounded-2xl rounded-br-md bg-accent-soft px-4 py-2.5 text-foreground">
        {props.message.parts.map((part, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: parts are append-only and have no ids
          <UserPart key={index} part={part} />
        ))}
      </div>
    </div>
  );
});

function UserPart(props: { readonly part: ChatPart }) {
  const part = props.part;
  switch (part.type) {
    case "text":
      return <p className="text-sm break-words whitespace-pre-wrap">{part.text}</p>;
    case "image":
      return part.previewUrl === undefined ? (
        <span className="inline-flex items-center gap-1.5 rounded-md bg-surface px-2 py-1 text-xs text-muted">
          <ImageIcon className="size-3.5" aria-hidden />
          {part.name ?? "image"} · {formatBytes(part.bytes)}
        </span>
      ) : (
        <img
          src={part.previewUrl}
          alt={part.name ?? "Attached image"}
          className="max-h-48 max-w-full rounded-lg border border-border object-contain"
        />
      );
    case "answer":
      return (
        <p className="flex flex-wrap items-center gap-1.5 text-sm">
          <span className="text-muted">Answered:</span>
          {part.answers.map((answer) => (
            <span key={answer} className="rounded-full bg-surface px-2 py-0.5 text-xs font-medium">
              {answer}
            </span>
          ))}
        </p>
      );
    default:
      return null;
  }
}

const AssistantMessage = memo(function AssistantMessage(props: {
  readonly message: ChatEntry;
  readonly question: PendingQuestion | null;
  readonly busy: boolean;
  readonly answering: boolean;
  readonly onAnswer: ChatController["answer"];
  readonly renderFeatures: ((ids: readonly number[]) => ReactNode) | undefined;
  readonly typing: boolean;
  readonly streaming: boolean;
}) {
  const { message } = props;
  return (
    <div className="flex gap-3" data-testid="chat-message" data-role="assistant" data-status={message.status}>
      <span
        aria-hidden
        className="mt-0.5 flex size-7 shrink-0 items-center justify-center rounded-full bg-accent-soft text-accent"
      >
        <Bot className="size-4" />
      </span>
      <div className="min-w-0 flex-1 space-y-2">
        {message.parts.map((part, index) => (
          <AssistantPart
            // biome-ignore lint/suspicious/noArrayIndexKey: parts are append-only and have no ids
            key={index}
            part={part}
            question={props.question}
            busy={props.busy}
            answering={props.answering}
            onAnswer={props.onAnswer}
            renderFeatures={props.renderFeatures}
          />
        ))}
        {props.typing || props.streaming ? <TypingIndicator compact={!props.typing} /> : null}
        {message.error === undefined ? null : (
          <p className="flex items-start gap-2 rounded-lg border border-status-failed/40 bg-status-soft-failed px-3 py-2 text-sm">
            <AlertTriangle className="mt-0.5 size-4 shrink-0 text-status-failed" aria-hidden />
            <span className="min-w-0 break-words">
              <span className="font-medium">The answer failed: </span>
              {message.error.message}
            </span>
          </p>
        )}
        {message.status === "cancelled" ? <p className="text-xs text-muted italic">Stopped.</p> : null}
        {message.status === "failed" && message.error === undefined ? (
          <p className="text-xs text-status-failed">This answer did not complete.</p>
        ) : null}
      </div>
    </div>
  );
});

function TypingIndicator(props: { readonly compact: boolean }) {
  return (
    <span
      role="status"
      aria-label="The assistant is answering"
      className={cn("inline-flex items-center gap-1", props.compact ? "py-0.5" : "py-2")}
    >
      {[0, 150, 300].map((delay) => (
        <span
          key={delay}
          aria-hidden
          className="size-1.5 animate-bounce rounded-full bg-muted"
          style={{ animationDelay: `${delay}ms` }}
        />
      ))}
    </span>
  );
}

function AssistantPart(props: {
  readonly part: ChatPart;
  readonly question: PendingQuestion | null;
  readonly busy: boolean;
  readonly answering: boolean;
  readonly onAnswer: ChatController["answer"];
  readonly renderFeatures: ((ids: readonly number[]) => ReactNode) | undefined;
}) {
  const part = props.part;
  switch (part.type) {
    case "text":
      return <ChatMarkdown text={part.text} />;
    case "tool":
      return (
        <span
          className={cn(
            "inline-flex max-w-full items-center gap-1.5 rounded-full border px-2.5 py-1 text-xs",
            part.ok
              ? "border-border bg-surface-muted text-muted"
              : "border-status-failed/40 bg-status-soft-failed",
          )}
          title={part.summary}
          data-testid="tool-chip"
        >
          <Wrench className="size-3 shrink-0" aria-hidden />
          <span className="font-mono font-medium text-foreground">{part.name}</span>
          {part.summary !== part.name ? <span className="min-w-0 truncate">{part.summary}</span> : null}
          {part.ok ? (
            <Check className="size-3 shrink-0 text-status-done" aria-label="done" />
          ) : (
            <span className="shrink-0 font-medium text-status-failed">failed</span>
          )}
        </span>
      );
    case "question":
      return (
        <QuestionCard
          part={part}
          pending={props.question?.questionId === part.questionId && !props.busy}
          answering={props.answering}
          onAnswer={props.onAnswer}
        />
      );
    case "spec":
      return (
        <p className="inline-flex items-center gap-2 rounded-lg border border-status-done/40 bg-status-soft-done px-3 py-1.5 text-sm">
          <FileText className="size-4 text-status-done" aria-hidden />
          <span>
            Wrote <code className="font-mono text-xs">{part.path}</code> · target {part.featureCount}{" "}
            {part.featureCount === 1 ? "feature" : "features"}
          </span>
        </p>
      );
    case "features":
      return (
        <div className="space-y-1.5 rounded-lg border border-border bg-surface-muted px-3 py-2 text-sm">
          <p className="flex items-center gap-2 font-medium">
            <ListPlus className="size-4 text-accent" aria-hidden />
            Added {part.count} {part.count === 1 ? "feature" : "features"} to the backlog
          </p>
          {props.renderFeatures?.(part.ids)}
        </div>
      );
    default:
      return null;
  }
}

/** A question the model asked: options as buttons (several with `multiSelect`), or the user's own words. */
function QuestionCard(props: {
  readonly part: Extract<ChatPart, { type: "question" }>;
  readonly pending: boolean;
  readonly answering: boolean;
  readonly onAnswer: ChatController["answer"];
}) {
  const { part } = props;
  const [selected, setSelected] = useState<readonly string[]>([]);
  const [other, setOther] = useState("");
  const [refusal, setRefusal] = useState<string | undefined>(undefined);
  const open = props.pending && !props.answering && part.answers === null;
  const labelId = useId();
  const answered = part.answers ?? [];

  const submit = (answers: readonly string[]) => {
    const cleaned = answers.map((answer) => answer.trim()).filter((answer) => answer !== "");
    if (cleaned.length === 0) return;
    setRefusal(props.onAnswer(part.questionId, cleaned) ?? undefined);
  };
  const otherAnswer = other.trim();

  return (
    <fieldset
      aria-labelledby={`${labelId}-question`}
      className="space-y-3 rounded-xl border border-accent/40 bg-surface p-3 shadow-sm"
      data-testid="chat-question"
    >
      <p className="flex items-start gap-2 text-sm font-medium">
        <CircleHelp className="mt-0.5 size-4 shrink-0 text-accent" aria-hidden />
        <span id={`${labelId}-question`} className="whitespace-pre-wrap">
          {part.question}
        </span>
      </p>
      {part.multiSelect && open ? <p className="text-xs text-muted">Pick all that apply.</p> : null}
      <div className="flex flex-wrap gap-2">
        {part.options.map((option) => {
          const chosen = answered.includes(option) || selected.includes(option);
          return (
            <button
              key={option}
              type="button"
              disabled={!open}
              aria-pressed={part.multiSelect ? chosen : undefined}
              onClick={() => {
                if (!part.multiSelect) submit([option]);
                else
                  setSelected((list) =>
                    list.includes(option) ? list.filter((item) => item !== option) : [...list, option],
                  );
              }}
              className={cn(
                "inline-flex max-w-full items-center gap-1.5 rounded-lg border px-3 py-1.5 text-left text-sm transition-colors",
                chosen
                  ? "border-accent bg-accent-soft font-medium text-accent"
                  : "border-border bg-surface hover:border-accent hover:bg-accent-soft",
                "disabled:cursor-default disabled:hover:border-border disabled:hover:bg-surface",
                !open && !chosen && "opacity-60",
              )}
            >
              {chosen ? <Check className="size-3.5 shrink-0" aria-hidden /> : null}
              <span className="break-words">{option}</span>
            </button>
          );
        })}
      </div>
      {open ? (
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            submit(
              part.multiSelect ? [...selected, ...(otherAnswer === "" ? [] : [otherAnswer])] : [otherAnswer],
            );
          }}
        >
          <input
            value={other}
            onChange={(event) => setOther(event.target.value)}
            placeholder="Other: answer in your own words"
            aria-label="Other answer"
            maxLength={2_000}
            className="h-8 min-w-48 flex-1 rounded-md border border-border bg-surface px-2.5 text-sm placeholder:text-muted focus-visible:outline-2 focus-visible:outline-ring"
          />
          <Button
            type="submit"
            size="sm"
            variant={part.multiSelect ? "primary" : "secondary"}
            disabled={part.multiSelect ? selected.length === 0 && otherAnswer === "" : otherAnswer === ""}
          >
            {part.multiSelect ? sendLabel(selected.length + (otherAnswer === "" ? 0 : 1)) : "Send"}
          </Button>
        </form>
      ) : part.answers === null ? (
        <p className="text-xs text-muted">
          {props.answering ? "Sending your answer…" : "Answered in the conversation."}
        </p>
      ) : null}
      {refusal === undefined ? null : (
        <p role="alert" className="text-xs text-status-failed">
          {refusal}
        </p>
      )}
    </fieldset>
  );
}

function sendLabel(count: number): string {
  return count === 0 ? "Send answer" : `Send ${count} ${count === 1 ? "answer" : "answers"}`;
}

interface ComposerHandle {
  addFiles: (files: readonly File[]) => void;
  /** Puts `text` in the composer and focuses it. */
  setText: (text: string) => void;
}

function Composer(props: {
  readonly chat: ChatController;
  readonly placeholder: string | undefined;
  readonly ref: Ref<ComposerHandle>;
}) {
  const { chat } = props;
  const [text, setText] = useState("");
  const [attachments, setAttachments] = useState<readonly ReadyAttachment[]>([]);
  const [refused, setRefused] = useState<readonly RefusedFile[]>([]);
  const [reading, setReading] = useState(0);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const count = useRef(0);
  count.current = attachments.length;

  const addFiles = (files: readonly File[]) => {
    if (files.length === 0) return;
    setReading((value) => value + 1);
    prepareAttachments(files, count.current)
      .then(({ accepted, refused: refusedFiles }) => {
        setAttachments((list) => [...list, ...accepted]);
        setRefused(refusedFiles);
      })
      .finally(() => setReading((value) => value - 1));
  };

  useImperativeHandle(props.ref, () => ({
    addFiles,
    setText: (value: string) => {
      setText(value);
      input.current?.focus();
    },
  }));

  // Grows with its text up to a bound, then scrolls.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-measure when the text changes
  useLayoutEffect(() => {
    const element = input.current;
    if (element === null) return;
    element.style.height = "auto";
    element.style.height = `${Math.min(element.scrollHeight, 200)}px`;
  }, [text]);

  const connected = chat.connection.status === "open";
  const busy = chat.state.busy;
  const trimmed = text.trim();
  const canSend = connected && !busy && reading === 0 && trimmed !== "";

  const send = () => {
    if (!canSend) return;
    const refusal = chat.send(trimmed, attachments);
    setProblem(refusal ?? undefined);
    if (refusal === null) {
      setText("");
      setAttachments([]);
      setRefused([]);
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  };
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = Array.from(event.clipboardData.files);
    if (files.length === 0) return;
    event.preventDefault();
    addFiles(files);
  };

  const placeholder =
    chat.state.question !== null && !busy
      ? "Pick an option above, or answer in your own words…"
      : (props.placeholder ?? "Write a message…");
  return (
    <form
      className="shrink-0 border-t border-border bg-surface px-4 pt-3 pb-2"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        send();
      }}
    >
      <div className="mx-auto max-w-3xl space-y-2 2xl:max-w-4xl">
        {attachments.length === 0 ? null : (
          <ul className="flex flex-wrap gap-2" aria-label="Attached images">
            {attachments.map((attachment) => (
              <li key={attachment.key} className="group relative">
                <img
                  src={attachment.previewUrl}
                  alt={attachment.name ?? "Pasted image"}
                  className="size-16 rounded-lg border border-border object-cover"
                />
                <span className="absolute inset-x-0 bottom-0 truncate rounded-b-lg bg-black/55 px-1 text-[10px] text-white">
                  {formatBytes(attachment.bytes)}
                </span>
                <button
                  type="button"
                  onClick={() => setAttachments((list) => list.filter((item) => item.key !== attachment.key))}
                  aria-label={`Remove ${attachment.name ?? "the pasted image"}`}
                  className="absolute -top-1.5 -right-1.5 rounded-full border border-border bg-surface p-0.5 text-muted shadow hover:text-foreground"
                >
                  <X className="size-3" aria-hidden />
                </button>
              </li>
            ))}
          </ul>
        )}
        {refused.length === 0 && problem === undefined ? null : (
          <div role="alert" className="flex items-start gap-2 text-xs text-status-failed">
            <AlertTriangle className="mt-0.5 size-3.5 shrink-0" aria-hidden />
            <ul className="min-w-0 flex-1 space-y-0.5">
              {refused.map((file) => (
                <li key={file.key}>{file.message}</li>
              ))}
              {problem === undefined ? null : <li>{problem}</li>}
            </ul>
            <button
              type="button"
              onClick={() => {
                setRefused([]);
                setProblem(undefined);
              }}
              aria-label="Dismiss"
              className="rounded p-0.5 text-muted hover:text-foreground"
            >
              <X className="size-3.5" aria-hidden />
            </button>
          </div>
        )}
        <div className="flex items-end gap-2 rounded-xl border border-border bg-background p-1.5 focus-within:border-accent focus-within:ring-2 focus-within:ring-accent/25">
          <Button
            size="icon"
            variant="ghost"
            aria-label="Attach images"
            title="Attach images (PNG, JPEG, GIF, WebP; up to 5 MB each)"
            onClick={() => picker.current?.click()}
          >
            <Paperclip aria-hidden />
          </Button>
          <input
            ref={picker}
            type="file"
            accept={acceptedImageTypes}
            multiple
            className="hidden"
            data-testid="chat-file-input"
            aria-label="Choose images to attach"
            onChange={(event) => {
              addFiles(Array.from(event.target.files ?? []));
              event.target.value = "";
            }}
          />
          <textarea
            ref={input}
            rows={1}
            value={text}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={onKeyDown}
            onPaste={onPaste}
            placeholder={placeholder}
            aria-label="Message"
            maxLength={100_000}
            className="max-h-[200px] min-h-8 flex-1 resize-none bg-transparent px-1 py-1.5 text-sm text-foreground placeholder:text-muted focus-visible:outline-none!"
          />
          {busy ? (
            <Button
              size="icon"
              variant="secondary"
              aria-label="Stop the answer"
              title="Stop"
              onClick={chat.cancel}
            >
              <Square aria-hidden />
            </Button>
          ) : (
            <Button size="icon" variant="primary" type="submit" aria-label="Send message" disabled={!canSend}>
              <SendHorizontal aria-hidden />
            </Button>
          )}
        </div>
        <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 text-xs text-muted">
          <span>
            {attachments.length > 0 && trimmed === ""
              ? "Add a few words about the images to send them."
              : "Enter sends · Shift+Enter adds a line · paste or drop images"}
          </span>
          <ConnectionLine
            status={chat.connection.status}
            detail={chat.connection.detail}
            onReconnect={chat.reconnect}
          />
        </div>
      </div>
    </form>
  );
}

const connectionLabels: Record<ChatConnectionStatus, string> = {
  connecting: "Connecting…",
  open: "Connected",
  reconnecting: "Reconnecting…",
  closed: "Disconnected",
};

function ConnectionLine(props: {
  readonly status: ChatConnectionStatus;
  readonly detail: string | undefined;
  readonly onReconnect: () => void;
}) {
  const { status } = props;
  return (
    <span
      className="inline-flex min-w-0 items-center gap-1.5"
      data-testid="chat-connection"
      data-status={status}
    >
      <span
        aria-hidden
        className={cn(
          "size-2 shrink-0 rounded-full",
          status === "open"
            ? "bg-status-done"
            : status === "closed"
              ? "bg-status-failed"
              : "animate-pulse bg-status-input",
        )}
      />
      <span role="status" className="min-w-0 truncate" title={props.detail}>
        {connectionLabels[status]}
        {status !== "open" && props.detail !== undefined ? ` (${props.detail})` : ""}
      </span>
      {status === "reconnecting" || status === "closed" ? (
        <button
          type="button"
          onClick={props.onReconnect}
          className="inline-flex items-center gap-1 rounded px-1 font-medium text-accent hover:underline"
        >
          <RefreshCw className="size-3" aria-hidden />
          Reconnect
        </button>
      ) : null}
    </span>
  );
}
