/**
 * The project's terminals: a tab per shell (add, close, rename by double-click or F2), each an xterm.js screen on
 * its own socket. Only the open tab is attached; the server keeps the scrollback and replays it on attach, so
 * switching tabs loses nothing. Everything a screen made (socket, observers, frames, xterm) goes on unmount.
 */
import "@xterm/xterm/css/xterm.css";
import type { TerminalInfo } from "@autowright/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FitAddon } from "@xterm/addon-fit";
import type { ITheme, Terminal } from "@xterm/xterm";
import { Loader2, Plus, RotateCw, TerminalSquare, X } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import { errorMessage } from "../../api/client.ts";
import {
  createTerminal,
  deleteTerminal,
  listTerminals,
  renameTerminal,
  terminalSocketUrl,
} from "../../api/terminals.ts";
import { cn } from "../../lib/cn.ts";
import { useTheme } from "../../lib/theme.ts";
import { useProjectStore } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { Card } from "../../ui/card.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { TerminalConnection, type TerminalConnectionStatus } from "./terminal-connection.ts";
import { useStreamReopened } from "./use-stream-reopened.ts";

/** The query key of a project's terminal list. */
export const terminalsQueryKey = (project: string) => ["terminals", project] as const;

/** The Terminal view: the project's terminals on the whole screen. */
export function TerminalView() {
  return (
    <div className="flex h-full min-h-0 flex-col p-4">
      <Card className="flex min-h-0 flex-1 flex-col overflow-hidden">
        <TerminalTabs />
      </Card>
    </div>
  );
}

/** The terminals with their tabs; `compact` for the log panel. */
export function TerminalTabs(props: { readonly compact?: boolean }) {
  const project = useProjectStore().project;
  const queryClient = useQueryClient();
  const { notifyError } = useNotify();
  const key = terminalsQueryKey(project);
  const list = useQuery({ queryKey: key, queryFn: () => listTerminals(project) });
  // A restarted server has none of the old shells: list them again once the stream is back.
  useStreamReopened(() => void queryClient.invalidateQueries({ queryKey: key }));
  const [activeId, setActiveId] = useState<string | undefined>(undefined);
  const [renaming, setRenaming] = useState<string | undefined>(undefined);
  const terminals = list.data?.terminals ?? [];
  const active = terminals.find((terminal) => terminal.id === activeId) ?? terminals[0];

  const setTerminals = (update: (terminals: TerminalInfo[]) => TerminalInfo[]) =>
    queryClient.setQueryData(key, (data: { terminals: TerminalInfo[] } | undefined) =>
      data === undefined ? data : { terminals: update(data.terminals) },
    );

  const create = useMutation({
    mutationFn: () => createTerminal(project),
    onSuccess: ({ terminal }) => {
      setTerminals((current) => [...current.filter((item) => item.id !== terminal.id), terminal]);
      setActiveId(terminal.id);
    },
    onError: (error) => notifyError("No terminal could be opened", error),
  });
  const close = useMutation({
    mutationFn: (id: string) => deleteTerminal(project, id),
    onSuccess: ({ id }) => {
      const index = terminals.findIndex((terminal) => terminal.id === id);
      const rest = terminals.filter((terminal) => terminal.id !== id);
      if (active?.id === id) setActiveId(rest[Math.min(index, rest.length - 1)]?.id);
      setTerminals((current) => current.filter((terminal) => terminal.id !== id));
    },
    onError: (error) => notifyError("The terminal could not be closed", error),
  });
  const rename = useMutation({
    mutationFn: (input: { id: string; name: string }) => renameTerminal(project, input.id, input.name),
    onSuccess: ({ terminal }) =>
      setTerminals((current) => current.map((item) => (item.id === terminal.id ? terminal : item))),
    onError: (error) => notifyError("The terminal could not be renamed", error),
  });

  if (list.isError) {
    return (
      <div className="flex flex-1 flex-col items-center justify-center gap-3 p-6 text-center text-sm">
        <p className="font-medium">The terminals could not be listed</p>
        <p className="text-muted">{errorMessage(list.error)}</p>
        <Button onClick={() => void list.refetch()}>
          <RotateCw aria-hidden />
          Try again
        </Button>
      </div>
    );
  }
  if (list.data === undefined) {
    return (
      <div className="flex flex-1 items-center justify-center gap-2 text-sm text-muted">
        <Loader2 className="size-4 animate-spin" aria-hidden />
        Loading terminals…
      </div>
    );
  }

  return (
    <div className="flex min-h-0 flex-1 flex-col" data-testid="terminal-tabs">
      <div
        className={cn(
          "flex items-center gap-1 overflow-x-auto border-b border-border bg-surface-muted px-2",
          props.compact ? "py-1" : "py-1.5",
        )}
      >
        <div role="tablist" aria-label="Terminals" className="flex min-w-0 items-center gap-1">
          {terminals.map((terminal) => (
            <TerminalTab
              key={terminal.id}
              terminal={terminal}
              selected={terminal.id === active?.id}
              renaming={renaming === terminal.id}
              onSelect={() => setActiveId(terminal.id)}
              onStartRename={() => setRenaming(terminal.id)}
              onRename={(name) => {
                setRenaming(undefined);
                const trimmed = name.trim();
                if (trimmed !== "" && trimmed !== terminal.name)
                  rename.mutate({ id: terminal.id, name: trimmed });
              }}
              onCancelRename={() => setRenaming(undefined)}
              onClose={() => close.mutate(terminal.id)}
            />
          ))}
        </div>
        <Button
          size="icon"
          variant="ghost"
          aria-label="New terminal"
          title="New terminal"
          onClick={() => create.mutate()}
          disabled={create.isPending}
        >
          {create.isPending ? <Loader2 className="animate-spin" aria-hidden /> : <Plus aria-hidden />}
        </Button>
      </div>
      {active === undefined ? (
        <div className="flex flex-1 flex-col items-center justify-center gap-3 p-6 text-center text-sm">
          <TerminalSquare className="size-8 text-muted" aria-hidden />
          <p className="font-medium">No terminal open</p>
          <p className="max-w-sm text-muted">
            A terminal runs a shell in the project's folder, on this machine.
          </p>
          <Button variant="primary" onClick={() => create.mutate()} disabled={create.isPending}>
            <Plus aria-hidden />
            New terminal
          </Button>
        </div>
      ) : (
        <XtermPane
          key={active.id}
          project={project}
          terminal={active}
          onExited={() => void queryClient.invalidateQueries({ queryKey: key })}
        />
      )}
    </div>
  );
}

function TerminalTab(props: {
  readonly terminal: TerminalInfo;
  readonly selected: boolean;
  readonly renaming: boolean;
  readonly onSelect: () => void;
  readonly onStartRename: () => void;
  readonly onRename: (name: string) => void;
  readonly onCancelRename: () => void;
  readonly onClose: () => void;
}) {
  const { terminal } = props;
  const exited = terminal.status === "exited";
  return (
    <div
      className={cn(
        "group flex shrink-0 items-center rounded-md text-sm",
        props.selected ? "bg-surface shadow-sm" : "hover:bg-surface",
      )}
    >
      {props.renaming ? (
        <input
          // biome-ignore lint/a11y/noAutofocus: the field appears because the user asked to rename.
          autoFocus
          aria-label={`New name of ${terminal.name}`}
          defaultValue={terminal.name}
          maxLength={100}
          className="h-7 w-36 rounded-md border border-border bg-surface px-2 text-sm"
          onBlur={(event) => props.onRename(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") props.onRename(event.currentTarget.value);
            if (event.key === "Escape") {
              event.preventDefault();
              props.onCancelRename();
            }
          }}
        />
      ) : (
        <button
          type="button"
          role="tab"
          aria-selected={props.selected}
          title="Double-click (or F2) to rename"
          onClick={props.onSelect}
          onDoubleClick={props.onStartRename}
          onKeyDown={(event) => {
            if (event.key === "F2") {
              event.preventDefault();
              props.onStartRename();
            }
          }}
          className={cn(
            "flex h-7 max-w-48 items-center gap-1.5 rounded-l-md pr-1 pl-2.5",
            props.selected ? "text-foreground" : "text-muted",
          )}
        >
          <TerminalSquare className="size-3.5 shrink-0" aria-hidden />
          <span className="truncate">{terminal.name}</span>
          {exited ? (
            <span className="rounded bg-surface-muted px-1 text-[10px] text-muted uppercase">exited</span>
          ) : null}
        </button>
      )}
      <button
        type="button"
        aria-label={`Close ${terminal.name}`}
        title={exited ? "Close" : "Close (ends the shell)"}
        onClick={props.onClose}
        className="mr-1 rounded p-0.5 text-muted hover:bg-surface-muted hover:text-foreground"
      >
        <X className="size-3.5" aria-hidden />
      </button>
    </div>
  );
}

const lightTheme: ITheme = {
  background: "#fcfcfe",
  foreground: "#262b3a",
  cursor: "#4f46e5",
  cursorAccent: "#fcfcfe",
  selectionBackground: "#c7d2fe",
  black: "#262b3a",
  red: "#b42318",
  green: "#17803d",
  yellow: "#8a5a00",
  blue: "#1d5bbf",
  magenta: "#8e3fa8",
  cyan: "#0e7490",
  white: "#6b7280",
  brightBlack: "#6b7280",
  brightRed: "#d92d20",
  brightGreen: "#15a34a",
  brightYellow: "#a16207",
  brightBlue: "#2563eb",
  brightMagenta: "#a855f7",
  brightCyan: "#0891b2",
  brightWhite: "#111827",
};

const darkTheme: ITheme = {
  background: "#191c26",
  foreground: "#e4e7ef",
  cursor: "#a5b4fc",
  cursorAccent: "#191c26",
  selectionBackground: "#3b4366",
};

function XtermPane(props: {
  readonly project: string;
  readonly terminal: TerminalInfo;
  readonly onExited: () => void;
}) {
  const hostRef = useRef<HTMLDivElement>(null);
  const terminalRef = useRef<Terminal | undefined>(undefined);
  const connectionRef = useRef<TerminalConnection | undefined>(undefined);
  const onExited = useRef(props.onExited);
  onExited.current = props.onExited;
  const { dark } = useTheme();
  const darkRef = useRef(dark);
  darkRef.current = dark;
  const [status, setStatus] = useState<TerminalConnectionStatus>("connecting");
  const [detail, setDetail] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const { project } = props;
  const terminalId = props.terminal.id;

  useEffect(() => {
    const host = hostRef.current;
    if (host === null) return;
    let cleanup: (() => void) | undefined;
    let cancelled = false;
    // xterm.js is loaded with the first terminal shown: the rest of the dashboard does not pay for it.
    void Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]).then(
      ([{ Terminal: XTerminal }, { FitAddon: XFitAddon }]) => {
        if (cancelled) return;
        cleanup = mountTerminal(host, XTerminal, new XFitAddon());
      },
      (error: unknown) => {
        if (!cancelled) setError(`The terminal could not be loaded: ${errorMessage(error)}`);
      },
    );
    const mountTerminal = (
      element: HTMLDivElement,
      XTerminal: typeof Terminal,
      fit: FitAddon,
    ): (() => void) => {
      const screen = new XTerminal({
        fontFamily: 'ui-monospace, "SFMono-Regular", "JetBrains Mono", Menlo, Consolas, monospace',
        fontSize: 13,
        cursorBlink: true,
        scrollback: 5_000,
        theme: darkRef.current ? darkTheme : lightTheme,
      });
      screen.loadAddon(fit);
      screen.open(element);
      terminalRef.current = screen;
      const connection = new TerminalConnection({
        url: terminalSocketUrl(project, terminalId),
        onOutput: (data) => screen.write(data),
        onOpen: (reconnected) => {
          // The server replays the scrollback on every attach: start from a clean screen.
          if (reconnected) screen.reset();
          setError(undefined);
        },
        onStatus: (next, why) => {
          setStatus(next);
          setDetail(why);
          if (next === "dropped")
            screen.write("\r\n\x1b[33m[The connection dropped. Press any key to reconnect.]\x1b[0m\r\n");
        },
        onExit: (exitCode, signal) => {
          const how =
            signal !== undefined ? `by signal ${signal}` : exitCode === null ? "" : `with code ${exitCode}`;
          screen.write(`\r\n\x1b[2m[The shell exited${how === "" ? "" : ` ${how}`}.]\x1b[0m\r\n`);
          onExited.current();
        },
        onError: (message) => setError(message),
      });
      connectionRef.current = connection;
      const subscriptions = [
        screen.onData((data) => connection.input(data)),
        screen.onBinary((data) => connection.input(data)),
        screen.onResize(({ cols, rows }) => connection.resize(cols, rows)),
      ];
      let frame = 0;
      const refit = () => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(() => {
          if (element.clientWidth > 0 && element.clientHeight > 0) fit.fit();
        });
      };
      const observer = new ResizeObserver(refit);
      observer.observe(element);
      if (element.clientWidth > 0 && element.clientHeight > 0) fit.fit();
      connection.resize(screen.cols, screen.rows);
      connection.connect();
      screen.focus();
      return () => {
        cancelAnimationFrame(frame);
        observer.disconnect();
        for (const subscription of subscriptions) subscription.dispose();
        connection.dispose();
        screen.dispose();
        terminalRef.current = undefined;
        connectionRef.current = undefined;
      };
    };
    return () => {
      cancelled = true;
      cleanup?.();
    };
  }, [project, terminalId]);

  useEffect(() => {
    const screen = terminalRef.current;
    if (screen !== undefined) screen.options.theme = dark ? darkTheme : lightTheme;
  }, [dark]);

  const reconnect = () => {
    connectionRef.current?.connect();
    terminalRef.current?.focus();
  };

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div
        ref={hostRef}
        className="min-h-0 flex-1 overflow-hidden px-2 pt-1"
        style={{ background: dark ? darkTheme.background : lightTheme.background }}
        data-testid="terminal-screen"
      />
      <StatusLine
        status={status}
        detail={detail}
        error={error}
        exitCode={props.terminal.exitCode}
        onReconnect={reconnect}
      />
    </div>
  );
}

function StatusLine(props: {
  readonly status: TerminalConnectionStatus;
  readonly detail: string | undefined;
  readonly error: string | undefined;
  readonly exitCode: number | null;
  readonly onReconnect: () => void;
}) {
  const { status } = props;
  if (status === "open" && props.error === undefined) return null;
  return (
    <div
      role="status"
      className={cn(
        "flex items-center gap-2 border-t border-border px-3 py-1.5 text-xs",
        status === "dropped" || status === "gone" || props.error !== undefined
          ? "bg-status-soft-failed text-status-failed"
          : "bg-surface-muted text-muted",
      )}
    >
      {status === "connecting" ? <Loader2 className="size-3.5 animate-spin" aria-hidden /> : null}
      <span className="min-w-0 flex-1 truncate">
        {status === "connecting"
          ? "Connecting to the terminal…"
          : status === "dropped"
            ? `The connection dropped${props.detail === undefined ? "" : ` (${props.detail})`}. Press any key in the terminal to reconnect.`
            : status === "exited"
              ? `The shell has exited${props.exitCode === null ? "" : ` with code ${props.exitCode}`}. Close this tab or open a new terminal.`
              : status === "gone"
                ? `This terminal is gone${props.detail === undefined ? "" : `: ${props.detail}`}.`
                : props.error}
      </span>
      {status === "dropped" ? (
        <Button size="sm" variant="secondary" className="h-6 text-xs" onClick={props.onReconnect}>
          <RotateCw aria-hidden />
          Reconnect
        </Button>
      ) : null}
    </div>
  );
}
