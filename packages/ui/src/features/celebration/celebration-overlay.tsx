/**
 * Celebrations, one at a time from `view.celebrations` (the reducer makes them only for a feature that passed
 * verification live, and for a completed project): a toast with a confetti burst for a feature, a full-screen
 * burst for the project. Each lasts a few seconds; Esc or a click dismisses it. An optional chime plays (off by
 * default, see {@link SoundToggle}). Confetti is hidden under reduced motion; the message is always announced.
 */
import { PartyPopper, Trophy, X } from "lucide-react";
import { type CSSProperties, useCallback, useEffect, useMemo, useRef } from "react";
import { formatCost } from "../../lib/format.ts";
import { useProjectStore, useProjectView } from "../../state/project-context.tsx";
import type { Celebration } from "../../state/project-view.ts";
import { MaestroAvatar } from "../mission-control/maestro.tsx";
import { Mascot } from "../mission-control/mascot.tsx";
import { playCelebrationSound } from "./sounds.ts";
import "./celebration.css";

export { SoundToggle } from "./sound-toggle.tsx";

/** How long each kind of celebration stays on screen. */
export const celebrationDurationMs = { feature_passed: 3_200, project_completed: 6_000 } as const;

const confettiColours = [
  "#f43f5e",
  "#f59e0b",
  "#10b981",
  "#3b82f6",
  "#8b5cf6",
  "#ec4899",
  "#facc15",
  "#06b6d4",
];

/** A small deterministic generator, so the confetti of a celebration does not change when it re-renders. */
function seeded(key: string): () => number {
  let state = 2166136261;
  for (let index = 0; index < key.length; index += 1)
    state = Math.imul(state ^ key.charCodeAt(index), 16777619);
  return () => {
    state = Math.imul(state ^ (state >>> 15), 2246822507);
    state = Math.imul(state ^ (state >>> 13), 3266489909);
    state ^= state >>> 16;
    return (state >>> 0) / 4294967296;
  };
}

function Confetti(props: { readonly seed: string; readonly count: number; readonly mode: "burst" | "rain" }) {
  const pieces = useMemo(() => {
    const random = seeded(props.seed);
    return Array.from({ length: props.count }, (_, index) => {
      const angle = random() * Math.PI * 2;
      const distance = 60 + random() * 140;
      return {
        id: index,
        style: {
          "--x": `${random() * 100}%`,
          "--dx": `${Math.cos(angle) * distance * 1.6}px`,
          "--dy": `${Math.sin(angle) * distance - 40}px`,
          "--r": `${Math.round(random() * 720 - 360)}deg`,
          "--delay": `${(random() * (props.mode === "rain" ? 1.4 : 0.15)).toFixed(2)}s`,
          "--duration": `${(props.mode === "rain" ? 2.6 : 1.4) + random() * 1.2}s`,
          "--sway": `${Math.round(random() * 80 - 40)}px`,
          background: confettiColours[index % confettiColours.length],
          width: `${5 + Math.round(random() * 5)}px`,
          height: `${8 + Math.round(random() * 6)}px`,
          borderRadius: random() > 0.7 ? "999px" : "2px",
        } as CSSProperties,
      };
    });
  }, [props.seed, props.count, props.mode]);
  return (
    <div className={`confetti confetti-${props.mode}`} aria-hidden>
      {pieces.map((piece) => (
        <span key={piece.id} className="confetti-piece" style={piece.style} />
      ))}
    </div>
  );
}

/** The sentence of a celebration. */
export function celebrationMessage(celebration: Celebration): string {
  if (celebration.kind === "project_completed")
    return `Mission accomplished! All ${celebration.total} features pass.`;
  const work = celebration.agentName === undefined ? "The work" : `${celebration.agentName}'s work`;
  return `${work} on #${celebration.featureId} ${celebration.featureName} passed verification`;
}

function FeatureToast(props: {
  readonly celebration: Extract<Celebration, { kind: "feature_passed" }>;
  readonly onDismiss: () => void;
}) {
  const { celebration } = props;
  return (
    <div className="pointer-events-none fixed inset-x-0 top-[4.5rem] z-[70] flex justify-center px-4">
      <div
        className="celebration-toast pointer-events-auto relative"
        data-testid="celebration"
        data-kind="feature_passed"
      >
        <Confetti seed={celebration.key} count={36} mode="burst" />
        <button
          type="button"
          onClick={props.onDismiss}
          className="relative flex items-center gap-3 rounded-2xl border border-status-done/40 bg-surface py-2.5 pr-4 pl-2.5 text-left shadow-xl ring-4 ring-status-done/10"
          aria-label={`${celebrationMessage(celebration)}. Dismiss`}
        >
          <span className="flex size-11 shrink-0 items-center justify-center rounded-xl bg-status-soft-done">
            {celebration.agentName === undefined ? (
              <PartyPopper className="size-5 text-status-done" aria-hidden />
            ) : (
              <Mascot name={celebration.agentName} state="success" size={38} />
            )}
          </span>
          <span className="min-w-0">
            <span className="block text-xs font-semibold tracking-wide text-status-done uppercase">
              Verified
            </span>
            <span className="block max-w-[28rem] truncate text-sm font-medium">
              {celebration.agentName === undefined ? "The work" : `${celebration.agentName}'s work`} on{" "}
              <span className="font-mono text-muted">#{celebration.featureId}</span> {celebration.featureName}{" "}
              passed verification
            </span>
          </span>
          <X className="ml-1 size-4 shrink-0 text-muted" aria-hidden />
        </button>
      </div>
    </div>
  );
}

function ProjectBurst(props: {
  readonly celebration: Extract<Celebration, { kind: "project_completed" }>;
  readonly onDismiss: () => void;
}) {
  const usage = useProjectView((view) => view.usage);
  const { celebration } = props;
  return (
    <div className="fixed inset-0 z-[70]" data-testid="celebration" data-kind="project_completed">
      <button
        type="button"
        className="celebration-backdrop absolute inset-0 h-full w-full cursor-default bg-black/30 backdrop-blur-[2px]"
        onClick={props.onDismiss}
        aria-label="Dismiss the celebration"
      />
      <Confetti seed={celebration.key} count={140} mode="rain" />
      <div className="pointer-events-none absolute inset-0 flex items-center justify-center p-6">
        <div className="celebration-card pointer-events-auto relative w-full max-w-md rounded-3xl border border-border bg-surface p-8 text-center shadow-2xl">
          <Confetti seed={`${celebration.key}-burst`} count={48} mode="burst" />
          <div className="relative mx-auto flex size-24 items-center justify-center rounded-3xl bg-accent-soft text-accent">
            <MaestroAvatar state="complete" size={84} />
          </div>
          <p className="relative mt-5 flex items-center justify-center gap-2 text-xs font-semibold tracking-widest text-status-done uppercase">
            <Trophy className="size-4" aria-hidden /> Project complete
          </p>
          <h2 className="relative mt-1 text-2xl font-semibold tracking-tight">Mission accomplished!</h2>
          <p className="relative mt-2 text-muted">
            All {celebration.total} {celebration.total === 1 ? "feature passes" : "features pass"}{" "}
            verification
            {usage.sessions > 0
              ? ` after ${usage.sessions} ${usage.sessions === 1 ? "session" : "sessions"}`
              : ""}
            {usage.costUsd === null
              ? ""
              : ` for ${usage.costPartial ? "≥ " : ""}${formatCost(usage.costUsd)}`}
            .
          </p>
          <button
            type="button"
            onClick={props.onDismiss}
            className="relative mt-6 rounded-lg bg-accent px-4 py-2 text-sm font-medium text-accent-foreground shadow-sm hover:opacity-90"
          >
            Wonderful
          </button>
        </div>
      </div>
    </div>
  );
}

/** The overlay of the open project's celebrations. */
export function CelebrationOverlay() {
  const store = useProjectStore();
  const celebrations = useProjectView((view) => view.celebrations);
  const current = celebrations[0];
  // Read by the timer: one more celebration joining the queue does not restart the current one's timer.
  const queueLength = useRef(celebrations.length);
  queueLength.current = celebrations.length;
  const key = current?.key;
  const dismiss = useCallback(() => {
    if (key !== undefined) store.dispatch({ type: "celebration.dismissed", key });
  }, [key, store]);

  useEffect(() => {
    if (current === undefined) return;
    playCelebrationSound(current.kind === "project_completed" ? "project" : "feature");
    // A queue that builds up (a burst of passes) plays faster, so the screen never lags far behind the run.
    const waiting = queueLength.current - 1;
    const duration = Math.max(1_400, celebrationDurationMs[current.kind] - waiting * 600);
    const timer = window.setTimeout(dismiss, duration);
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") dismiss();
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.clearTimeout(timer);
      window.removeEventListener("keydown", onKey);
    };
  }, [current, dismiss]);

  return (
    <>
      <div aria-live="polite" className="sr-only" data-testid="celebration-announcement">
        {current === undefined ? "" : celebrationMessage(current)}
      </div>
      {current === undefined ? null : current.kind === "feature_passed" ? (
        <FeatureToast key={current.key} celebration={current} onDismiss={dismiss} />
      ) : (
        <ProjectBurst key={current.key} celebration={current} onDismiss={dismiss} />
      )}
    </>
  );
}
