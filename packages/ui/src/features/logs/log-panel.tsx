/**
 * The log panel (the bottom dock and the Logs view): the agents' lines with filters by agent, feature, level and
 * text; the dev server's output; and the project's terminals. The lines live in the store's rings (50,000 and
 * 20,000), are virtualised, and are copied or cleared as the filters show them.
 */
import type { LogLevel } from "@autowright/protocol";
import { Copy, Eraser, ExternalLink, Search, X } from "lucide-react";
import { Tabs } from "radix-ui";
import { type ReactNode, useCallback, useDeferredValue, useMemo, useState } from "react";
import { navigate, useRoute } from "../../app/router.ts";
import { formatCount } from "../../lib/format.ts";
import type { LogRing } from "../../state/log-store.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { useNotify } from "../../ui/notices.tsx";
import {
  devServerStatusLabels,
  useDevServerStatus,
  useSeedDevServerLog,
} from "../devserver/use-devserver.ts";
import { TerminalTabs } from "../terminal/terminal-view.tsx";
import { LogFacets, type LogFilter, type LogRows, logLevels, rowsText } from "./log-filter.ts";
import { LogRowsView, useFilteredLog } from "./virtual-log-list.tsx";

export { VirtualLogList } from "./virtual-log-list.tsx";

type PanelTab = "agents" | "devserver" | "terminals";

const control =
  "h-7 rounded-md border border-border bg-surface px-2 text-xs text-foreground focus-visible:outline-2 focus-visible:outline-ring";

/** The log panel; `onClose` adds a close button (the dock). */
export function LogPanel(props: { readonly onClose?: () => void }) {
  const [tab, setTab] = useState<PanelTab>("agents");
  return (
    <Tabs.Root
      value={tab}
      onValueChange={(value) => setTab(value as PanelTab)}
      className="flex h-full min-h-0 flex-col bg-surface"
      data-testid="log-panel"
    >
      <div className="flex items-center gap-2 border-b border-border px-2">
        <Tabs.List aria-label="Logs" className="flex shrink-0 items-center">
          <PanelTrigger value="agents">Agents</PanelTrigger>
          <PanelTrigger value="devserver">Dev server</PanelTrigger>
          <PanelTrigger value="terminals">Terminals</PanelTrigger>
        </Tabs.List>
        <div className="flex-1" />
        {props.onClose === undefined ? null : (
          <Button size="icon" variant="ghost" aria-label="Close the log panel" onClick={props.onClose}>
            <X aria-hidden />
          </Button>
        )}
      </div>
      <Tabs.Content value="agents" className="flex min-h-0 flex-1 flex-col focus-visible:outline-none">
        <AgentLogs />
      </Tabs.Content>
      <Tabs.Content value="devserver" className="flex min-h-0 flex-1 flex-col focus-visible:outline-none">
        <DevServerLogs />
      </Tabs.Content>
      <Tabs.Content value="terminals" className="flex min-h-0 flex-1 flex-col focus-visible:outline-none">
        <TerminalTabs compact />
      </Tabs.Content>
    </Tabs.Root>
  );
}

function PanelTrigger(props: { readonly value: PanelTab; readonly children: ReactNode }) {
  return (
    <Tabs.Trigger
      value={props.value}
      className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-muted hover:text-foreground data-[state=active]:border-accent data-[state=active]:font-medium data-[state=active]:text-foreground"
    >
      {props.children}
    </Tabs.Trigger>
  );
}

function AgentLogs() {
  const store = useProjectStore();
  const ring = store.logs;
  const agentNames = useProjectView((view) => view.agentNames);
  const features = useProjectView((view) => view.features);
  const [agentId, setAgentId] = useState<string | undefined>(undefined);
  const [featureId, setFeatureId] = useState<number | undefined>(undefined);
  const [minimumLevel, setMinimumLevel] = useState<LogLevel | undefined>(undefined);
  const [search, setSearch] = useState("");
  const text = useDeferredValue(search);
  const filter: LogFilter = { agentId, featureId, minimumLevel, text };
  const { rows, version } = useFilteredLog(ring, filter);
  const facets = useMemo(() => new LogFacets(ring), [ring]);
  facets.sync();
  const facetsVersion = facets.version;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the facets change in place; their version says when.
  const agentOptions = useMemo(() => {
    const ids = new Set([...agentNames.keys(), ...facets.agentIds]);
    return [...ids]
      .map((id) => ({ id, name: agentNames.get(id) ?? id.slice(0, 8) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }, [agentNames, facets, facetsVersion]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: as above.
  const featureOptions = useMemo(
    () => [...facets.featureIds].sort((a, b) => a - b).map((id) => ({ id, name: features.get(id)?.name })),
    [facets, facetsVersion, features],
  );

  const route = useRoute();
  const openFeature = useCallback(
    (id: number) =>
      navigate({
        kind: "project",
        project: store.project,
        view: route.kind === "project" ? route.view : "dashboard",
        featureId: id,
      }),
    [store.project, route],
  );
  const filtered = rows.filtered;
  return (
    <>
      <Toolbar>
        <label className="sr-only" htmlFor="log-agent-filter">
          Agent
        </label>
        <select
          id="log-agent-filter"
          className={control}
          value={agentId ?? ""}
          onChange={(event) => setAgentId(event.target.value === "" ? undefined : event.target.value)}
        >
          <option value="">All agents</option>
          {agentOptions.map((option) => (
            <option key={option.id} value={option.id}>
              {option.name}
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor="log-feature-filter">
          Feature
        </label>
        <select
          id="log-feature-filter"
          className={`${control} max-w-48`}
          value={featureId === undefined ? "" : String(featureId)}
          onChange={(event) =>
            setFeatureId(event.target.value === "" ? undefined : Number(event.target.value))
          }
        >
          <option value="">All features</option>
          {featureOptions.map((option) => (
            <option key={option.id} value={option.id}>
              #{option.id}
              {option.name === undefined ? "" : ` ${option.name}`}
            </option>
          ))}
        </select>
        <label className="sr-only" htmlFor="log-level-filter">
          Level
        </label>
        <select
          id="log-level-filter"
          className={control}
          value={minimumLevel ?? ""}
          onChange={(event) =>
            setMinimumLevel(event.target.value === "" ? undefined : (event.target.value as LogLevel))
          }
        >
          <option value="">All levels</option>
          {logLevels.slice(1).map((level) => (
            <option key={level} value={level}>
              {level === "error"
                ? "Errors only"
                : level === "warn"
                  ? "Warnings and errors"
                  : "Info and above"}
            </option>
          ))}
        </select>
        <SearchBox value={search} onChange={setSearch} label="Search the agents' log" />
        {filtered ? (
          <Button
            size="sm"
            variant="ghost"
            className="h-7 text-xs"
            onClick={() => {
              setAgentId(undefined);
              setFeatureId(undefined);
              setMinimumLevel(undefined);
              setSearch("");
            }}
          >
            Reset filters
          </Button>
        ) : null}
        <div className="flex-1" />
        <LineCount shown={rows.count} total={ring.size} filtered={filtered} />
        <CopyClear rows={rows} ring={ring} agentNames={agentNames} what="agent log" />
      </Toolbar>
      <LogRowsView
        rows={rows}
        version={version}
        label="Agent log lines"
        agentNames={agentNames}
        onOpenFeature={openFeature}
        resetKey={`${agentId}|${featureId}|${minimumLevel}|${text}`}
        emptyMessage={
          ring.size === 0
            ? "No agent output since this page opened. Lines appear here while agents run."
            : "No line matches these filters."
        }
      />
    </>
  );
}

function DevServerLogs() {
  const store = useProjectStore();
  const ring = store.devServerLogs;
  useSeedDevServerLog();
  const devServer = useDevServerStatus();
  const [search, setSearch] = useState("");
  const text = useDeferredValue(search);
  const { rows, version } = useFilteredLog(ring, { text });
  const status = devServerStatusLabels[devServer.status];
  return (
    <>
      <Toolbar>
        <Badge tone={status.tone}>Dev server: {status.label}</Badge>
        {devServer.status === "running" && devServer.url !== undefined ? (
          <a
            href={devServer.url}
            target="_blank"
            rel="noreferrer"
            className="inline-flex items-center gap-1 text-xs text-accent hover:underline"
          >
            {devServer.url}
            <ExternalLink className="size-3" aria-hidden />
            <span className="sr-only">(opens in a new tab)</span>
          </a>
        ) : null}
        <SearchBox value={search} onChange={setSearch} label="Search the dev server's output" />
        <div className="flex-1" />
        <LineCount shown={rows.count} total={ring.size} filtered={rows.filtered} />
        <CopyClear rows={rows} ring={ring} what="dev server output" />
      </Toolbar>
      <LogRowsView
        rows={rows}
        version={version}
        label="Dev server output"
        columns="plain"
        resetKey={text}
        emptyMessage={
          ring.size === 0
            ? devServer.status === "stopped"
              ? "The dev server is not running. Start it from the header to see its output here."
              : "No output from the dev server yet."
            : "No line matches the search."
        }
      />
    </>
  );
}

function Toolbar(props: { readonly children: ReactNode }) {
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-border px-2 py-1.5">
      {props.children}
    </div>
  );
}

function SearchBox(props: {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly label: string;
}) {
  return (
    <div className="relative">
      <Search className="pointer-events-none absolute top-1.5 left-2 size-3.5 text-muted" aria-hidden />
      <input
        type="search"
        aria-label={props.label}
        placeholder="Search…"
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        className={`${control} w-44 pl-7 placeholder:text-muted`}
      />
    </div>
  );
}

function LineCount(props: { readonly shown: number; readonly total: number; readonly filtered: boolean }) {
  return (
    <span className="text-xs text-muted tabular-nums" aria-live="off">
      {props.filtered
        ? `${formatCount(props.shown)} of ${formatCount(props.total)} lines`
        : `${formatCount(props.total)} ${props.total === 1 ? "line" : "lines"}`}
    </span>
  );
}

function CopyClear(props: {
  readonly rows: LogRows;
  readonly ring: LogRing;
  readonly agentNames?: ReadonlyMap<string, string>;
  readonly what: string;
}) {
  const { notify, notifyError } = useNotify();
  const copy = async () => {
    const count = props.rows.count;
    try {
      if (navigator.clipboard === undefined)
        throw new Error("The clipboard is not available on this page (it needs https or localhost).");
      await navigator.clipboard.writeText(rowsText(props.rows, props.agentNames));
      notify({
        tone: "success",
        title: `Copied ${formatCount(count)} ${count === 1 ? "line" : "lines"} of the ${props.what}`,
      });
    } catch (error) {
      notifyError("The lines could not be copied", error);
    }
  };
  return (
    <>
      <Button
        size="sm"
        variant="ghost"
        className="h-7 text-xs"
        onClick={() => void copy()}
        disabled={props.rows.count === 0}
        aria-label={`Copy the shown lines of the ${props.what}`}
        title="Copy the shown lines"
      >
        <Copy aria-hidden />
        Copy
      </Button>
      <Button
        size="sm"
        variant="ghost"
        className="h-7 text-xs"
        onClick={() => props.ring.clear()}
        disabled={props.ring.size === 0}
        aria-label={`Clear the ${props.what}`}
        title="Clear (on this screen only)"
      >
        <Eraser aria-hidden />
        Clear
      </Button>
    </>
  );
}
