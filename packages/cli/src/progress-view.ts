/**
 * What `autowright run` shows: on a terminal, a live view redrawn in place (progress bar, counts, each agent
 * with its mascot and state); elsewhere, one plain line per notable event.
 */
import type { Orchestrator } from "@autowright/orchestrator";
import type { Progress, ServerEvent } from "@autowright/protocol";
import type { CliIo } from "./io.ts";

const redrawIntervalMs = 100;

/** What the view reads of the orchestrator: the running agents, at each redraw. */
export type RunningSessionsSource = Pick<Orchestrator, "runningSessions">;

/** The progress view of one run. */
export class ProgressView {
  readonly #io: CliIo;
  readonly #orchestrator: RunningSessionsSource;
  readonly #name: string;
  #progress: Progress | undefined;
  #status = "starting";
  #message = "";
  #lines = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #recent: string[] = [];
  /** Mascot names by agent id, for the lines about agents that ended. */
  readonly #names = new Map<string, string>();
  /** The last status seen of each feature. */
  readonly #statuses = new Map<number, string>();

  constructor(io: CliIo, orchestrator: RunningSessionsSource, name: string) {
    this.#io = io;
    this.#orchestrator = orchestrator;
    this.#name = name;
  }

  /** Takes one event into account. */
  update(event: ServerEvent): void {
    const line = this.#describe(event);
    if (event.type === "progress.updated") this.#progress = event.data;
    if (event.type === "run.updated") this.#status = event.data.status;
    if (event.type === "orchestrator.updated") this.#message = event.data.message;
    if (!this.#io.isTty) {
      if (line !== undefined) this.#io.stdout(`${line}\n`);
      return;
    }
    if (line !== undefined) {
      this.#recent.push(line);
      if (this.#recent.length > 5) this.#recent.shift();
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#draw();
    }, redrawIntervalMs);
  }

  /** Draws a last time and stops. */
  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#io.isTty) this.#draw();
  }

  #describe(event: ServerEvent): string | undefined {
    if (event.type === "agent.started") this.#names.set(event.data.agentId, event.data.name);
    switch (event.type) {
      case "run.updated":
        return `run ${event.data.status}${event.data.reason === undefined ? "" : `: ${event.data.reason}`}`;
      case "agent.started":
        return `${event.data.name} (${event.data.role}) started on ${event.data.featureNames.join(", ") || "the spec"}`;
      case "agent.ended":
        return `${this.#names.get(event.data.agentId) ?? `agent ${event.data.agentId}`} ended ${event.data.outcome}`;
      case "feature.updated": {
        const { id, name, status, unverified } = event.data.feature;
        const previous = this.#statuses.get(id);
        this.#statuses.set(id, status);
        // Only a change of status is news (a passing feature also changes when evidence is added to it).
        return (status === "passing" || status === "failed") && previous !== status
          ? `#${id} ${name}: ${status}${status === "passing" && unverified ? " (unverified: no check ran)" : ""}`
          : undefined;
      }
      case "progress.updated":
        return this.#io.isTty ||
          (this.#progress?.passing === event.data.passing &&
            this.#progress.total === event.data.total &&
            this.#progress.unverified === event.data.unverified)
          ? undefined
          : `progress ${event.data.passing}/${event.data.total} passing${unverifiedNote(event.data)}`;
      case "log.appended":
        return event.data.level === "warn" || event.data.level === "error"
          ? `${event.data.level}: ${event.data.line.slice(0, 200)}`
          : undefined;
      default:
        return undefined;
    }
  }

  #draw(): void {
    // A terminal of unknown size reports 0 columns.
    const columns = this.#io.columns === undefined || this.#io.columns <= 0 ? 100 : this.#io.columns;
    const width = Math.max(40, Math.min(columns, 140));
    const progress = this.#progress;
    const total = progress?.total ?? 0;
    const passing = progress?.passing ?? 0;
    const barWidth = Math.max(10, width - 40);
    const filled = total === 0 ? 0 : Math.round((passing / total) * barWidth);
    const percentage = Math.round(progress?.percentage ?? 0);
    const lines = [
      `autowright · ${this.#name} · ${this.#status}`,
      `[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}] ${passing}/${total} passing${progress === undefined ? "" : unverifiedNote(progress)} · ${percentage}%`,
      progress === undefined
        ? ""
        : `in progress ${progress.inProgress} · verifying ${progress.verifying} · pending ${progress.pending} · blocked ${progress.blocked} · needs input ${progress.needsInput} · failed ${progress.failed}`,
      this.#message.slice(0, width),
      ...this.#orchestrator
        .runningSessions()
        .map((session) =>
          `  ${session.name.padEnd(8)} ${session.role.padEnd(11)} ${session.state.padEnd(10)} ${session.featureIds.map((id) => `#${id}`).join(", ")}`.slice(
            0,
            width,
          ),
        ),
      ...this.#recent.map((line) => `  · ${line}`),
      // Every line fits the terminal: a wrapped line would throw the cursor-up count of the next redraw off.
    ].map((line) => line.slice(0, width));
    const clear = this.#lines > 0 ? `\u001b[${this.#lines}F\u001b[J` : "";
    this.#io.stdout(`${clear}${lines.join("\n")}\n`);
    this.#lines = lines.length;
  }
}

/** " (N unverified)" when some passes had no check, else "". */
function unverifiedNote(progress: Progress): string {
  return progress.unverified > 0 ? ` (${progress.unverified} unverified)` : "";
}
