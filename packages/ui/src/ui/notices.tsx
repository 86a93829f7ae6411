/**
 * Notices: short messages at the corner of the screen, for the result of an action (an API error above all:
 * nothing fails silently). `useNotify()` from anywhere; `<Notices />` once, in the shell.
 */
import { AlertTriangle, CheckCircle2, Info, X } from "lucide-react";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import { errorMessage } from "../api/client.ts";
import { cn } from "../lib/cn.ts";

/** A notice. */
export interface Notice {
  readonly id: number;
  readonly tone: "error" | "success" | "info";
  readonly title: string;
  readonly message?: string;
}

interface NoticeApi {
  readonly notify: (notice: Omit<Notice, "id">) => void;
  /** Tells the user an action failed, with the server's message. */
  readonly notifyError: (title: string, error: unknown) => void;
}

const NoticeContext = createContext<NoticeApi | undefined>(undefined);
const NoticeListContext = createContext<{ notices: readonly Notice[]; dismiss: (id: number) => void }>({
  notices: [],
  dismiss: () => {},
});

/** Holds the notices for the whole app. */
export function NoticeProvider(props: { readonly children: ReactNode }) {
  const [notices, setNotices] = useState<readonly Notice[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback(
    (id: number) => setNotices((list) => list.filter((notice) => notice.id !== id)),
    [],
  );
  const notify = useCallback(
    (notice: Omit<Notice, "id">) => {
      const id = nextId.current++;
      setNotices((list) => [...list.slice(-4), { ...notice, id }]);
      // Errors stay until dismissed: a failure must be read, not missed.
      if (notice.tone !== "error") window.setTimeout(() => dismiss(id), 5_000);
    },
    [dismiss],
  );
  const api = useMemo<NoticeApi>(
    () => ({
      notify,
      notifyError: (title, error) => notify({ tone: "error", title, message: errorMessage(error) }),
    }),
    [notify],
  );
  const list = useMemo(() => ({ notices, dismiss }), [notices, dismiss]);
  return (
    <NoticeContext.Provider value={api}>
      <NoticeListContext.Provider value={list}>{props.children}</NoticeListContext.Provider>
    </NoticeContext.Provider>
  );
}

/** The notice functions. */
export function useNotify(): NoticeApi {
  const api = useContext(NoticeContext);
  if (api === undefined) throw new Error("useNotify outside a NoticeProvider");
  return api;
}

const icons = { error: AlertTriangle, success: CheckCircle2, info: Info } as const;

/** The notices on screen. */
export function Notices() {
  const { notices, dismiss } = useContext(NoticeListContext);
  return (
    <section
      aria-label="Notifications"
      className="pointer-events-none fixed right-4 bottom-4 z-[60] flex w-96 max-w-[calc(100vw-2rem)] flex-col gap-2"
    >
      {notices.map((notice) => {
        const Icon = icons[notice.tone];
        return (
          <div
            key={notice.id}
            role={notice.tone === "error" ? "alert" : "status"}
            className={cn(
              "pointer-events-auto flex gap-3 rounded-lg border bg-surface p-3 shadow-lg",
              notice.tone === "error" ? "border-status-failed/50" : "border-border",
            )}
          >
            <Icon
              className={cn(
                "mt-0.5 size-4 shrink-0",
                notice.tone === "error"
                  ? "text-status-failed"
                  : notice.tone === "success"
                    ? "text-status-done"
                    : "text-accent",
              )}
              aria-hidden
            />
            <div className="min-w-0 flex-1 text-sm">
              <p className="font-medium">{notice.title}</p>
              {notice.message === undefined ? null : (
                <p className="mt-0.5 break-words text-muted">{notice.message}</p>
              )}
            </div>
            <button
              type="button"
              onClick={() => dismiss(notice.id)}
              aria-label="Dismiss notification"
              className="self-start rounded p-0.5 text-muted hover:text-foreground"
            >
              <X className="size-4" />
            </button>
          </div>
        );
      })}
    </section>
  );
}
