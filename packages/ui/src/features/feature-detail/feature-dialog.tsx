/**
 * The feature detail, over the view it was opened from: status, category, priority, attempts and the last error;
 * the agent's question (as a form); description, acceptance steps and dependencies (editable); the evidence; the
 * merged commit and its diff; the sessions with their logs. The feature is the store's, so it changes live; a
 * feature the store has not loaded is fetched (and then kept in the store). Edit, Skip and Delete act on it.
 */
import type { Feature } from "@autowright/protocol";
import { useQuery } from "@tanstack/react-query";
import { Pencil, SkipForward, Trash2 } from "lucide-react";
import { Tabs } from "radix-ui";
import { type ReactNode, useEffect, useState } from "react";
import { ApiError, errorMessage } from "../../api/client.ts";
import { deleteFeature, getFeature, skipFeature } from "../../api/projects.ts";
import { cn } from "../../lib/cn.ts";
import { formatRelative } from "../../lib/format.ts";
import { useNow } from "../../lib/use-now.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { Dialog } from "../../ui/dialog.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { statusBadge } from "../kanban/board-model.ts";
import { CategoryBadge } from "../kanban/category-badge.tsx";
import { Mascot, mascotStateLabel } from "../mission-control/mascot.tsx";
import { DependenciesSection } from "./dependencies-section.tsx";
import { EvidenceList } from "./evidence-list.tsx";
import { FeatureDiff } from "./feature-diff.tsx";
import { FeatureEditForm } from "./feature-edit-form.tsx";
import { FeatureSessions, SessionLogPanel } from "./feature-sessions.tsx";
import { HumanInputSection } from "./human-input-form.tsx";

/** The feature detail dialog. */
export function FeatureDialog(props: { readonly featureId: number; readonly onClose: () => void }) {
  const store = useProjectStore();
  const stored = useProjectView((view) => view.features.get(props.featureId));
  const deleted = useProjectView((view) => view.deletedFeatureIds.has(props.featureId));
  const [deleting, setDeleting] = useState(false);
  const fallback = useQuery({
    queryKey: ["feature", store.project, props.featureId],
    queryFn: () => getFeature(store.project, props.featureId),
    enabled: stored === undefined && !deleted,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
  useEffect(() => {
    if (fallback.data !== undefined)
      store.dispatch({ type: "feature.saved", feature: fallback.data.feature });
  }, [fallback.data, store]);

  const feature = stored ?? (deleted ? undefined : fallback.data?.feature);
  const onOpenChange = (open: boolean) => {
    if (!open) props.onClose();
  };
  if (feature !== undefined) {
    return (
      <FeatureDetail
        feature={feature}
        onClose={props.onClose}
        onDeleting={setDeleting}
        onOpenChange={onOpenChange}
      />
    );
  }
  const missing =
    !deleting &&
    (deleted ||
      (fallback.error instanceof ApiError &&
        (fallback.error.code === "feature_not_found" || fallback.error.status === 404)));
  return (
    <Dialog
      open
      onOpenChange={onOpenChange}
      title={missing ? `Feature #${props.featureId} does not exist` : `Feature #${props.featureId}`}
      footer={<Button onClick={props.onClose}>Close</Button>}
    >
      <div className="text-sm" data-testid="feature-dialog-state">
        {deleting ? (
          <p className="text-muted">Deleting…</p>
        ) : missing ? (
          <p className="text-muted">
            {deleted
              ? "It was deleted."
              : "There is no feature with this number in the backlog: it may have been deleted, or the link is wrong."}
          </p>
        ) : fallback.isError ? (
          <div role="alert" className="space-y-2">
            <p className="text-status-failed">
              The feature could not be loaded: {errorMessage(fallback.error)}
            </p>
            <Button size="sm" onClick={() => void fallback.refetch()}>
              Try again
            </Button>
          </div>
        ) : (
          <p className="text-muted">Loading…</p>
        )}
      </div>
    </Dialog>
  );
}

type TabId = "overview" | "evidence" | "diff" | "sessions";

function FeatureDetail(props: {
  readonly feature: Feature;
  readonly onClose: () => void;
  readonly onDeleting: (deleting: boolean) => void;
  readonly onOpenChange: (open: boolean) => void;
}) {
  const { feature } = props;
  const store = useProjectStore();
  const { notify } = useNotify();
  const [tab, setTab] = useState<TabId>("overview");
  const [editing, setEditing] = useState(false);
  const [logSession, setLogSession] = useState<string | undefined>(undefined);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [deleteError, setDeleteError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<"skip" | "delete" | undefined>(undefined);
  const [skipResult, setSkipResult] = useState<{ ok: boolean; message: string } | undefined>(undefined);
  const status = statusBadge(feature.status);

  const skip = async () => {
    setBusy("skip");
    setSkipResult(undefined);
    try {
      const answer = await skipFeature(store.project, feature.id);
      store.dispatch({ type: "feature.saved", feature: answer.feature });
      setSkipResult({
        ok: true,
        message: `Moved to the end of the queue (priority ${answer.feature.priority}).`,
      });
    } catch (error) {
      // Said in the dialog, not in a notice: a modal dialog hides the rest of the page from screen readers.
      setSkipResult({ ok: false, message: `Not skipped: ${errorMessage(error)}` });
    } finally {
      setBusy(undefined);
    }
  };
  const remove = async () => {
    setBusy("delete");
    setDeleteError(undefined);
    props.onDeleting(true);
    try {
      await deleteFeature(store.project, feature.id);
      notify({ tone: "success", title: `Feature #${feature.id} deleted`, message: feature.name });
      props.onClose();
    } catch (error) {
      props.onDeleting(false);
      setDeleteError(errorMessage(error));
      setBusy(undefined);
    }
  };

  const footer = confirmingDelete ? (
    <div className="flex w-full flex-wrap items-center justify-end gap-2">
      <p className="mr-auto text-sm">
        {deleteError === undefined ? (
          <>
            Delete <strong>#{feature.id}</strong> for good? Its evidence goes with it.
          </>
        ) : (
          <span role="alert" className="text-status-failed">
            Not deleted: {deleteError}
          </span>
        )}
      </p>
      <Button
        onClick={() => {
          setConfirmingDelete(false);
          setDeleteError(undefined);
        }}
      >
        Cancel
      </Button>
      <Button variant="danger" onClick={() => void remove()} disabled={busy === "delete"}>
        <Trash2 aria-hidden />
        {busy === "delete" ? "Deleting…" : "Delete feature"}
      </Button>
    </div>
  ) : (
    <div className="flex w-full flex-wrap items-center gap-2">
      <Button
        variant="ghost"
        className="mr-auto text-status-failed"
        onClick={() => setConfirmingDelete(true)}
      >
        <Trash2 aria-hidden />
        Delete
      </Button>
      {skipResult === undefined ? null : (
        <p
          role={skipResult.ok ? "status" : "alert"}
          className={cn("min-w-0 flex-1 text-xs", skipResult.ok ? "text-muted" : "text-status-failed")}
        >
          {skipResult.message}
        </p>
      )}
      <Button
        onClick={() => void skip()}
        disabled={busy !== undefined}
        title="Move it to the end of the queue"
      >
        <SkipForward aria-hidden />
        {busy === "skip" ? "Skipping…" : "Skip"}
      </Button>
      <Button
        onClick={() => {
          setEditing(true);
          setTab("overview");
          setLogSession(undefined);
        }}
        disabled={editing}
      >
        <Pencil aria-hidden />
        Edit
      </Button>
      <Button variant="primary" onClick={props.onClose}>
        Close
      </Button>
    </div>
  );

  const openSession = (sessionId: string) => setLogSession(sessionId);
  return (
    <Dialog
      open
      wide
      onOpenChange={props.onOpenChange}
      title={
        <span className="flex min-w-0 items-baseline gap-2">
          <span className="font-mono text-muted">#{feature.id}</span>
          <span className="min-w-0 break-words">{feature.name}</span>
        </span>
      }
      description={`${status.label} · ${feature.category === "" ? "no category" : feature.category} · priority ${feature.priority}`}
      footer={footer}
      className="min-h-[min(38rem,85vh)] max-w-5xl"
    >
      <div className="space-y-4" data-testid="feature-dialog">
        <Summary feature={feature} />
        {feature.lastError === null ? null : (
          <div
            className="rounded-md border border-status-failed/40 bg-status-soft-failed px-3 py-2 text-sm"
            data-testid="last-error"
          >
            <p className="text-xs font-medium text-status-failed">Last error</p>
            <p className="mt-0.5 break-words whitespace-pre-wrap">{feature.lastError}</p>
          </div>
        )}
        <HumanInputSection feature={feature} />
        {logSession !== undefined ? (
          <SessionLogPanel sessionId={logSession} onBack={() => setLogSession(undefined)} />
        ) : (
          <Tabs.Root value={tab} onValueChange={(value) => setTab(value as TabId)}>
            <Tabs.List aria-label="Feature details" className="flex gap-1 border-b border-border">
              <DetailTab value="overview">Overview</DetailTab>
              <DetailTab value="evidence">
                Evidence{feature.evidence.length === 0 ? "" : ` (${feature.evidence.length})`}
              </DetailTab>
              <DetailTab value="diff">Commit &amp; diff</DetailTab>
              <DetailTab value="sessions">Sessions</DetailTab>
            </Tabs.List>
            <Tabs.Content value="overview" className="pt-4 outline-none">
              {editing ? (
                <FeatureEditForm feature={feature} onDone={() => setEditing(false)} />
              ) : (
                <Overview feature={feature} />
              )}
            </Tabs.Content>
            <Tabs.Content value="evidence" className="pt-4 outline-none">
              <EvidenceList evidence={feature.evidence} onOpenSession={openSession} />
            </Tabs.Content>
            <Tabs.Content value="diff" className="pt-4 outline-none">
              <FeatureDiff feature={feature} />
            </Tabs.Content>
            <Tabs.Content value="sessions" className="pt-4 outline-none">
              <FeatureSessions feature={feature} onOpenSession={openSession} />
            </Tabs.Content>
          </Tabs.Root>
        )}
      </div>
    </Dialog>
  );
}

function DetailTab(props: { readonly value: TabId; readonly children: ReactNode }) {
  return (
    <Tabs.Trigger
      value={props.value}
      className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-muted hover:text-foreground data-[state=active]:border-accent data-[state=active]:font-medium data-[state=active]:text-foreground"
    >
      {props.children}
    </Tabs.Trigger>
  );
}

function Summary(props: { readonly feature: Feature }) {
  const { feature } = props;
  const now = useNow(30_000);
  const agents = useProjectView((view) => view.live.snapshot.agents);
  const agent = agents.find((candidate) => candidate.featureIds.includes(feature.id));
  const status = statusBadge(feature.status);
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
      <Badge tone={status.tone} data-testid="feature-status">
        {status.label}
      </Badge>
      {feature.status === "passing" && feature.unverified ? (
        <Badge tone="neutral" title="Passed without any check running">
          ✓ unverified
        </Badge>
      ) : null}
      <CategoryBadge category={feature.category} />
      <Meta label="Priority">{feature.priority}</Meta>
      <Meta label="Attempts">{feature.attempts}</Meta>
      <Meta label="Updated">
        <time dateTime={feature.updatedAt} title={feature.updatedAt}>
          {formatRelative(feature.updatedAt, now)}
        </time>
      </Meta>
      {agent === undefined ? null : (
        <span className="flex min-w-0 items-center gap-1.5">
          <Mascot name={agent.name} state={agent.state} size={22} />
          <span className="font-medium">{agent.name}</span>
          <span className="text-muted">{mascotStateLabel(agent.state)}</span>
          {agent.thought === undefined ? null : (
            <span className="max-w-72 truncate text-xs text-muted italic" title={agent.thought}>
              {agent.thought}
            </span>
          )}
        </span>
      )}
    </div>
  );
}

function Meta(props: { readonly label: string; readonly children: ReactNode }) {
  return (
    <span className="text-muted">
      {props.label} <span className="font-medium text-foreground tabular-nums">{props.children}</span>
    </span>
  );
}

function Overview(props: { readonly feature: Feature }) {
  const { feature } = props;
  return (
    <div className="grid gap-6 lg:grid-cols-[3fr_2fr]">
      <div className="min-w-0 space-y-4">
        <section aria-labelledby="description-heading">
          <h3 id="description-heading" className="text-sm font-semibold">
            Description
          </h3>
          <p
            className={cn(
              "mt-1 text-sm break-words whitespace-pre-wrap",
              feature.description === "" && "text-muted",
            )}
          >
            {feature.description === "" ? "No description." : feature.description}
          </p>
        </section>
        <section aria-labelledby="steps-heading">
          <h3 id="steps-heading" className="text-sm font-semibold">
            Acceptance steps
          </h3>
          {feature.steps.length === 0 ? (
            <p className="mt-1 text-sm text-muted">No steps: the checks decide alone.</p>
          ) : (
            <ol className="mt-1 list-decimal space-y-1 pl-5 text-sm">
              {feature.steps.map((step, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: steps are positional.
                <li key={index} className="break-words">
                  {step}
                </li>
              ))}
            </ol>
          )}
        </section>
        {feature.verify.length === 0 ? null : (
          <section aria-labelledby="verify-heading">
            <h3 id="verify-heading" className="text-sm font-semibold">
              Verify commands
            </h3>
            <ul className="mt-1 space-y-1">
              {feature.verify.map((command, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: commands are positional.
                <li key={index}>
                  <code className="rounded bg-surface-muted px-1.5 py-0.5 font-mono text-xs">{command}</code>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
      <DependenciesSection feature={feature} />
    </div>
  );
}
