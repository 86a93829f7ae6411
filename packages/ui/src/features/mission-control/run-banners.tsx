/**
 * The banners over the project's view that say what the run is waiting for and what to do about it, from the
 * snapshot (`run`, `orchestrator`, `agents`) and, for how the last run ended (an auth failure, the budget), from
 * the project's REST detail, reloaded when the run's status changes.
 */
import type { Feature, StallReason } from "@autowright/protocol";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  CheckCircle2,
  Hourglass,
  KeyRound,
  type LucideIcon,
  OctagonX,
  PauseCircle,
  TriangleAlert,
  Wallet,
} from "lucide-react";
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { getProject, resumeRun, skipFeature } from "../../api/projects.ts";
import { navigate } from "../../app/router.ts";
import { cn } from "../../lib/cn.ts";
import { formatClock, formatCost, formatCountdown } from "../../lib/format.ts";
import { useNow } from "../../lib/use-now.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import { useNotify } from "../../ui/notices.tsx";
import { useOpenFeature } from "./mission-format.ts";

type BannerTone = "input" | "failed" | "done" | "accent";

const toneClasses: Record<BannerTone, { box: string; icon: string }> = {
  input: { box: "border-status-input/40 bg-status-soft-input", icon: "text-status-input" },
  failed: { box: "border-status-failed/40 bg-status-soft-failed", icon: "text-status-failed" },
  done: { box: "border-status-done/40 bg-status-soft-done", icon: "text-status-done" },
  accent: { box: "border-accent/30 bg-accent-soft", icon: "text-accent" },
};

function Banner(props: {
  readonly kind: string;
  readonly tone: BannerTone;
  readonly icon: LucideIcon;
  readonly title: ReactNode;
  readonly children?: ReactNode;
  readonly actions?: ReactNode;
  readonly alert?: boolean;
}) {
  const Icon = props.icon;
  const tone = toneClasses[props.tone];
  return (
    <div
      role={props.alert ? "alert" : "status"}
      data-testid={`banner-${props.kind}`}
      className={cn("flex flex-wrap items-start gap-x-3 gap-y-2 border-b px-4 py-2.5 text-sm", tone.box)}
    >
      <Icon className={cn("mt-0.5 size-4 shrink-0", tone.icon)} aria-hidden />
      <div className="min-w-[14rem] flex-1">
        <p className="font-medium">{props.title}</p>
        {props.children === undefined ? null : <div className="mt-0.5 text-muted">{props.children}</div>}
      </div>
      {props.actions === undefined ? null : (
        <div className="flex flex-wrap items-center gap-2">{props.actions}</div>
      )}
    </div>
  );
}

/** What a stall reason means, in words. */
export const stallReasonText: Record<StallReason, string> = {
  cycle: "is in a dependency cycle",
  missing_dependency: "depends on a feature that does not exist",
  dependency_failed: "is blocked by a failed dependency",
  waiting_for_input: "waits for your answer",
};

const stallActionText: Record<StallReason, string> = {
  cycle: "Fix dependencies",
  missing_dependency: "Fix dependencies",
  dependency_failed: "Open",
  waiting_for_input: "Answer",
};

function RetryButton(props: { readonly feature: Feature }) {
  const store = useProjectStore();
  const { notify, notifyError } = useNotify();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      size="sm"
      className="h-7 px-2 text-xs"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        skipFeature(store.project, props.feature.id)
          .then((answer) => {
            store.dispatch({ type: "feature.saved", feature: answer.feature });
            notify({
              tone: "success",
              title: `#${props.feature.id} is queued again`,
              message: "Press Start to run it.",
            });
          })
          .catch((error: unknown) => notifyError(`Could not retry #${props.feature.id}`, error))
          .finally(() => setBusy(false));
      }}
    >
      Retry #{props.feature.id}
    </Button>
  );
}

function StalledBanner() {
  const stalled = useProjectView((view) => view.live.snapshot.orchestrator.stalled);
  const reason = useProjectView((view) => view.live.snapshot.run.reason);
  const features = useProjectView((view) => view.features);
  const open = useOpenFeature();
  const entries = stalled ?? [];
  const failed = useMemo(
    () => [...features.values()].filter((feature) => feature.status === "failed"),
    [features],
  );
  return (
    <Banner
      kind="stalled"
      tone="input"
      icon={TriangleAlert}
      title="Stalled — nothing can progress without you"
      alert
    >
      {entries.length === 0 && failed.length === 0 ? (
        <p>{reason ?? "Nothing is ready and nothing is running."}</p>
      ) : (
        <ul className="mt-1.5 space-y-1" aria-label="What blocks the run">
          {entries.map((entry) => {
            const feature = features.get(entry.featureId);
            const failedDependencies =
              entry.reason === "dependency_failed" && feature !== undefined
                ? feature.dependencies
                    .map((id) => features.get(id))
                    .filter((dependency) => dependency?.status === "failed")
                : [];
            return (
              <li
                key={entry.featureId}
                className="flex flex-wrap items-center gap-x-2 gap-y-1"
                data-testid="stall-entry"
              >
                <span className="text-foreground">
                  <span className="font-mono text-muted">#{entry.featureId}</span>{" "}
                  {feature === undefined ? "" : `${feature.name}: `}
                  {stallReasonText[entry.reason]}
                  {failedDependencies.length > 0
                    ? ` (${failedDependencies.map((dependency) => `#${dependency?.id}`).join(", ")} failed)`
                    : ""}
                </span>
                <Button size="sm" className="h-7 px-2 text-xs" onClick={() => open(entry.featureId)}>
                  {stallActionText[entry.reason]}
                </Button>
                {failedDependencies.map((dependency) =>
                  dependency === undefined ? null : <RetryButton key={dependency.id} feature={dependency} />,
                )}
              </li>
            );
          })}
          {failed
            .filter((feature) => !entries.some((entry) => entry.featureId === feature.id))
            .map((feature) => (
              <li
                key={feature.id}
                className="flex flex-wrap items-center gap-x-2 gap-y-1"
                data-testid="stall-entry"
              >
                <span className="text-foreground">
                  <span className="font-mono text-muted">#{feature.id}</span> {feature.name}: failed
                  {feature.lastError === null ? "" : ` — ${feature.lastError}`}
                </span>
                <Button size="sm" className="h-7 px-2 text-xs" onClick={() => open(feature.id)}>
                  Open
                </Button>
                <RetryButton feature={feature} />
              </li>
            ))}
        </ul>
      )}
    </Banner>
  );
}

function RateLimitBanner(props: { readonly resumeAt: string | undefined }) {
  const now = useNow();
  const { resumeAt } = props;
  return (
    <Banner kind="rate_limited" tone="input" icon={Hourglass} title="Rate limited by the model provider">
      <p>
        {resumeAt === undefined
          ? "Resumes automatically when the limit resets. Nothing to do."
          : Date.parse(resumeAt) > now
            ? `Resumes automatically at ${formatClock(resumeAt)} (in ${formatCountdown(resumeAt, now)}). Nothing to do.`
            : "Resuming now. Nothing to do."}
      </p>
    </Banner>
  );
}

function PausedBanner(props: { readonly draining: boolean; readonly running: number }) {
  const store = useProjectStore();
  const { notifyError } = useNotify();
  const [busy, setBusy] = useState(false);
  return (
    <Banner
      kind="paused"
      tone="accent"
      icon={PauseCircle}
      title={props.draining ? "Pausing" : "Paused"}
      actions={
        <Button
          size="sm"
          variant="primary"
          disabled={busy}
          onClick={() => {
            setBusy(true);
            resumeRun(store.project)
              .catch((error: unknown) => notifyError("Could not resume the run", error))
              .finally(() => setBusy(false));
          }}
        >
          Resume
        </Button>
      }
    >
      <p>
        {props.draining
          ? `${props.running} ${props.running === 1 ? "agent finishes its" : "agents finish their"} session, then no new one starts. Press Resume to carry on.`
          : "Agents finish their session and no new one starts; press Resume to carry on."}
      </p>
    </Banner>
  );
}

function goToSettings(project: string) {
  navigate({ kind: "project", project, view: "settings" });
}

/** The banners of the open project's run. */
export function RunBanners() {
  const store = useProjectStore();
  const queryClient = useQueryClient();
  const run = useProjectView((view) => view.live.snapshot.run);
  const orchestrator = useProjectView((view) => view.live.snapshot.orchestrator);
  const agents = useProjectView((view) => view.live.snapshot.agents);
  const progress = useProjectView((view) => view.live.snapshot.progress);
  const usage = useProjectView((view) => view.usage);
  const detail = useQuery({
    queryKey: ["project", store.project],
    queryFn: () => getProject(store.project),
  });
  // How the last run ended is REST-only: reload it whenever the stream says the run's status changed.
  const seenStatus = useRef(run.status);
  useEffect(() => {
    if (seenStatus.current === run.status) return;
    seenStatus.current = run.status;
    void queryClient.invalidateQueries({ queryKey: ["project", store.project] });
  }, [run.status, queryClient, store.project]);

  const lastResult = detail.data?.run.lastResult ?? null;
  const ended = ["stopped", "completed", "stalled", "crashed"].includes(run.status);
  const authAgents = agents.filter((agent) => agent.state === "auth_failed");
  const rateLimitedAgents = agents.filter((agent) => agent.state === "rate_limited");
  const rateLimited = run.status === "rate_limited" || orchestrator.state === "rate_limited";
  const resumeAt =
    run.resumeAt ??
    rateLimitedAgents
      .map((agent) => agent.resetAt)
      .filter((at): at is string => at !== undefined)
      .sort()
      .at(-1);
  const banners: ReactNode[] = [];

  if (authAgents.length > 0 || (ended && lastResult?.governor === "auth_failed")) {
    banners.push(
      <Banner
        key="auth"
        kind="auth"
        tone="failed"
        icon={KeyRound}
        alert
        title="The model provider refused the credentials"
        actions={
          <Button size="sm" variant="primary" onClick={() => goToSettings(store.project)}>
            Open Settings
          </Button>
        }
      >
        <p>
          {authAgents.length > 0
            ? `${authAgents.map((agent) => agent.name).join(", ")} could not sign in. `
            : `${lastResult?.reason ?? run.reason ?? ""} `}
          Fix the credentials in Settings, then press Start.
        </p>
      </Banner>,
    );
  } else if (ended && lastResult?.governor === "budget" && run.status === "stopped") {
    banners.push(
      <Banner
        key="budget"
        kind="budget"
        tone="input"
        icon={Wallet}
        title="Stopped: the budget is spent"
        actions={
          <Button size="sm" onClick={() => goToSettings(store.project)}>
            Open Settings
          </Button>
        }
      >
        <p>{lastResult.reason}. Raise the budget in Settings to carry on, then press Start.</p>
      </Banner>,
    );
  }
  if (rateLimited || rateLimitedAgents.length > 0) {
    banners.push(<RateLimitBanner key="rate" resumeAt={resumeAt} />);
  }
  if (run.status === "stalled" || orchestrator.state === "stalled") {
    banners.push(<StalledBanner key="stalled" />);
  }
  const pausing = run.status === "draining" && (run.reason ?? "").startsWith("pausing");
  if (run.status === "paused" || orchestrator.state === "paused" || pausing) {
    banners.push(<PausedBanner key="paused" draining={pausing} running={agents.length} />);
  }
  if (run.status === "completed") {
    const cost =
      usage.costUsd === null ? null : `${usage.costPartial ? "≥ " : ""}${formatCost(usage.costUsd)}`;
    banners.push(
      <Banner
        key="completed"
        kind="completed"
        tone="done"
        icon={CheckCircle2}
        title={`All ${progress.total} ${progress.total === 1 ? "feature passes" : "features pass"}`}
      >
        <p>
          Mission accomplished
          {usage.sessions > 0 ? ` in ${usage.sessions} ${usage.sessions === 1 ? "session" : "sessions"}` : ""}
          {cost === null ? "" : `, ${cost} spent`}. Add features or open the app to try it.
        </p>
      </Banner>,
    );
  }
  if (run.status === "crashed") {
    banners.push(
      <Banner
        key="crashed"
        kind="crashed"
        tone="failed"
        icon={OctagonX}
        alert
        title="The run stopped with an error"
      >
        <p>
          {run.reason ?? lastResult?.reason ?? "No reason was given."} Check the logs (press L), fix the
          cause, then press Start.
        </p>
      </Banner>,
    );
  }
  if (banners.length === 0) return null;
  return (
    <section aria-label="Run status" className="shrink-0">
      {banners}
    </section>
  );
}
