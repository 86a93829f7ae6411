/**
 * The board: the backlog in six columns (Pending, In progress, Verifying, Needs input, Failed, Done), live from the
 * store (features by id, agents from the snapshot). Cards open the feature detail; the pending queue is reordered
 * by drag and drop or with Alt+Arrow keys, as priority PATCHes (the answers and the `feature.updated` events move
 * the cards; nothing is moved before the server agrees). "Add feature" (N) opens the add form. In compact mode (the
 * dashboard) the columns have a maximum height and scroll inside.
 */
import { Plus, Search } from "lucide-react";
import {
  type DragEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";
import { patchFeature } from "../../api/projects.ts";
import { navigate, useRoute } from "../../app/router.ts";
import { cn } from "../../lib/cn.ts";
import { useShortcut } from "../../lib/shortcuts.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { Input } from "../../ui/field.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { AddFeatureDialog } from "./add-feature-dialog.tsx";
import { agentsByFeature, boardColumns, groupIntoColumns, matchesSearch } from "./board-model.ts";
import type { CardMove } from "./feature-card.tsx";
import { type DropTarget, KanbanColumn } from "./kanban-column.tsx";
import { reprioritise } from "./reorder.ts";

/** How long after a move the moved card takes the focus back when it re-renders in its new place. */
const focusWindowMs = 3_000;

/** The board. */
export function KanbanBoard(props: { readonly compact?: boolean }) {
  const compact = props.compact === true;
  const store = useProjectStore();
  const route = useRoute();
  const features = useProjectView((view) => view.features);
  const featuresLoaded = useProjectView((view) => view.featuresLoaded);
  const streamError = useProjectView((view) => view.streamError);
  const agents = useProjectView((view) => view.live.snapshot.agents);
  const { notifyError } = useNotify();
  const [search, setSearch] = useState("");
  const [adding, setAdding] = useState(false);
  const [draggingId, setDraggingId] = useState<number | undefined>(undefined);
  const [dropTarget, setDropTarget] = useState<DropTarget | undefined>(undefined);
  const [focus, setFocus] = useState<{ id: number; at: number } | undefined>(undefined);
  const [announcement, setAnnouncement] = useState("");
  const moving = useRef(false);
  const movesHintId = useId();

  useShortcut(
    "n",
    "Add a feature",
    "Board",
    useCallback(() => setAdding(true), []),
  );

  const filtering = search.trim() !== "";
  const columns = useMemo(() => {
    const shown = filtering
      ? [...features.values()].filter((feature) => matchesSearch(feature, search))
      : features.values();
    return groupIntoColumns(shown);
  }, [features, search, filtering]);
  const agentOf = useMemo(() => agentsByFeature(agents), [agents]);
  const blockedCount = useMemo(
    () =>
      columns.pending.filter((feature) =>
        feature.dependencies.some((id) => features.get(id)?.status !== "passing"),
      ).length,
    [columns.pending, features],
  );
  // Reordering edits the whole queue's order: not while a search hides part of it.
  const reorderable = !filtering;

  useEffect(() => {
    if (focus === undefined) return;
    const timer = window.setTimeout(() => setFocus(undefined), focusWindowMs);
    return () => window.clearTimeout(timer);
  }, [focus]);

  const open = useCallback(
    (id: number) =>
      navigate({
        kind: "project",
        project: store.project,
        view: route.kind === "project" ? route.view : "kanban",
        featureId: id,
      }),
    [store.project, route],
  );

  // The handlers read the latest queue and drag state through refs, so they stay the same functions and a card
  // that did not change does not re-render when another one does.
  const pending = columns.pending;
  const pendingRef = useRef(pending);
  pendingRef.current = pending;
  const draggingRef = useRef(draggingId);
  draggingRef.current = draggingId;
  const dropTargetRef = useRef(dropTarget);
  dropTargetRef.current = dropTarget;

  const moveTo = useCallback(
    async (id: number, targetIndex: number) => {
      const queue = pendingRef.current;
      if (moving.current) return;
      const changes = reprioritise(queue, id, targetIndex);
      if (changes.length === 0) return;
      moving.current = true;
      const position = Math.max(0, Math.min(targetIndex, queue.length - 1)) + 1;
      try {
        const answers = await Promise.all(
          changes.map((change) => patchFeature(store.project, change.id, { priority: change.priority })),
        );
        for (const { feature } of answers) store.dispatch({ type: "feature.saved", feature });
        setAnnouncement(`Feature #${id} moved to position ${position} of ${queue.length} in Pending.`);
        setFocus({ id, at: Date.now() });
      } catch (error) {
        notifyError(`Feature #${id} could not be moved`, error);
      } finally {
        moving.current = false;
      }
    },
    [store, notifyError],
  );

  const onMove = useCallback(
    (id: number, move: CardMove) => {
      const queue = pendingRef.current;
      const index = queue.findIndex((feature) => feature.id === id);
      if (index === -1) return;
      const target =
        move === "up" ? index - 1 : move === "down" ? index + 1 : move === "top" ? 0 : queue.length - 1;
      if (target < 0 || target >= queue.length) return;
      void moveTo(id, target);
    },
    [moveTo],
  );

  const onDragStart = useCallback((id: number, event: DragEvent<HTMLElement>) => {
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", `#${id}`);
    setDraggingId(id);
  }, []);
  const onDragEnd = useCallback(() => {
    setDraggingId(undefined);
    setDropTarget(undefined);
  }, []);
  const onDragOverCard = useCallback((id: number, event: DragEvent<HTMLElement>) => {
    if (draggingRef.current === undefined) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const box = event.currentTarget.getBoundingClientRect();
    const side = event.clientY < box.top + box.height / 2 ? "before" : "after";
    setDropTarget((current) =>
      current !== undefined && "id" in current && current.id === id && current.side === side
        ? current
        : { id, side },
    );
  }, []);
  const onDragOverEnd = useCallback(() => {
    setDropTarget((current) => (current !== undefined && "end" in current ? current : { end: true }));
  }, []);
  const onDrop = useCallback(
    (event: DragEvent<HTMLElement>) => {
      event.preventDefault();
      const id = draggingRef.current;
      const target = dropTargetRef.current;
      setDraggingId(undefined);
      setDropTarget(undefined);
      if (id === undefined || target === undefined) return;
      const rest = pendingRef.current.filter((feature) => feature.id !== id);
      let index = rest.length;
      if ("id" in target) {
        if (target.id === id) return;
        const at = rest.findIndex((feature) => feature.id === target.id);
        if (at === -1) return;
        index = at + (target.side === "after" ? 1 : 0);
      }
      void moveTo(id, index);
    },
    [moveTo],
  );

  const total = features.size;
  const done = columns.done.length;

  let body: ReactNode;
  if (!featuresLoaded) {
    body =
      streamError === undefined ? (
        <BoardMessage title="Loading the backlog…" />
      ) : (
        <BoardMessage title="The backlog could not be loaded" role="alert">
          <p>{streamError}</p>
          <Button onClick={() => store.reconnect()}>Try again</Button>
        </BoardMessage>
      );
  } else if (total === 0) {
    body = (
      <BoardMessage title="No features yet">
        <p>Write the spec with the Assistant to get a backlog, or add the first feature by hand.</p>
        <Button variant="primary" onClick={() => setAdding(true)}>
          <Plus aria-hidden />
          Add feature
        </Button>
      </BoardMessage>
    );
  } else {
    body = (
      <div
        className={cn("flex min-h-0 gap-3 overflow-x-auto pb-1", compact ? "items-stretch" : "flex-1")}
        data-testid="kanban-columns"
      >
        {boardColumns.map((column) => (
          <KanbanColumn
            key={column.id}
            column={column}
            features={columns[column.id]}
            allFeatures={features}
            agents={agentOf}
            compact={compact}
            {...(column.id === "pending" && blockedCount > 0 ? { note: `${blockedCount} blocked` } : {})}
            reorderable={reorderable}
            draggingId={draggingId}
            dropTarget={column.id === "pending" ? dropTarget : undefined}
            movesHintId={movesHintId}
            focusId={column.id === "pending" ? focus?.id : undefined}
            onOpen={open}
            onMove={onMove}
            onDragStart={onDragStart}
            onDragEnd={onDragEnd}
            onDragOverCard={onDragOverCard}
            onDragOverEnd={onDragOverEnd}
            onDrop={onDrop}
          />
        ))}
      </div>
    );
  }

  return (
    <div className={cn("flex flex-col gap-3", compact ? "" : "h-full min-h-0")} data-testid="kanban-board">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <h2 className="text-sm font-semibold">Board</h2>
        {featuresLoaded && total > 0 ? (
          <p className="text-xs text-muted tabular-nums">
            {done} of {total} done
          </p>
        ) : null}
        <div className="ml-auto flex items-center gap-2">
          {featuresLoaded && total > 0 ? (
            <div className="relative">
              <Search
                className="pointer-events-none absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-muted"
                aria-hidden
              />
              <Input
                type="search"
                aria-label="Filter the board"
                placeholder="Filter: name, category or #id"
                value={search}
                onChange={(event) => setSearch(event.target.value)}
                className="h-8 w-60 pl-8 text-xs"
              />
            </div>
          ) : null}
          <Button size="sm" variant="primary" onClick={() => setAdding(true)} aria-keyshortcuts="N">
            <Plus aria-hidden />
            Add feature
            <kbd className="ml-0.5 rounded bg-accent-foreground/20 px-1 font-mono text-[10px]">N</kbd>
          </Button>
        </div>
      </div>
      {body}
      <p id={movesHintId} className="sr-only">
        {reorderable
          ? "Alt+Up and Alt+Down move the feature in the queue, Alt+Home and Alt+End to the start or the end."
          : "Clear the filter to reorder the queue."}
      </p>
      <p className="sr-only" aria-live="polite" role="status">
        {announcement}
      </p>
      <AddFeatureDialog open={adding} onOpenChange={setAdding} />
    </div>
  );
}

function BoardMessage(props: {
  readonly title: string;
  readonly children?: ReactNode;
  readonly role?: "alert";
}) {
  return (
    <div
      role={props.role}
      className="flex min-h-40 flex-1 flex-col items-center justify-center gap-3 rounded-xl border border-dashed border-border p-6 text-center text-sm text-muted"
    >
      <p className="font-medium text-foreground">{props.title}</p>
      {props.children}
    </div>
  );
}
