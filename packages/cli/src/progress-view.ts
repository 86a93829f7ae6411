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
      case "feature.updated":
        return event.data.feature.status === "passing" || event.data.feature.status === "failed"
          ? `#${event.data.feature.id} ${event.data.feature.name}: ${event.data.feature.status}`
          : undefined;
      case "progress.updated":
        return this.#io.isTty ? undefined : `progress ${event.data.passing}/${event.data.total} passing`;
      case "log.appended":
        return event.data.level === "warn" || event.data.level === "error"
          ? `${event.data.level}: ${event.data.line.slice(0, 200)}`
          : undefined;
      default:
        return undefined;
    }
  }

  #draw(): void {
    const width = Math.max(40, Math.min(this.#io.columns ?? 100, 140));
    const progress = this.#progress;
    const total = progress?.total ?? 0;
    const passing = progress?.passing ?? 0;
    const barWidth = Math.max(10, width - 40);
    const filled = total === 0 ? 0 : Math.round((passing / total) * barWidth);
    const percentage = progress?.percentage ?? 0;
    const lines = [
      `autowright · ${this.#name} · ${this.#status}`,
      `[${"█".repeat(filled)}${"░".repeat(barWidth - filled)}] ${passing}/${total} passing · ${percentage}%`,
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
