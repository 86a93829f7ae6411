/**
 * Webhook notifications of one project (AutoForge's `PROGRESS_N8N_WEBHOOK_URL`, done properly): when the setting
 * `notificationsWebhookUrl` is set, POSTs a {@link WebhookNotification} when features newly pass and when a run
 * ends. It follows the project's bus, so it needs no hook in the orchestrator.
 *
 * - Bursts are merged: at most one `features.passed` post is in flight; features that pass meanwhile go in the
 *   next one. A failed post's features are kept for the next post (no retry of its own).
 * - Each post gives up after a timeout. A failure is logged once as a `log.appended` warning, naming only the
 *   URL's origin (credentials, path and query may be secrets), and not again until a post succeeds. Nothing
 *   is thrown and nothing waits on a post: the run never blocks on the receiver.
 * - The settings are read at each post, so changing the URL (or clearing it) takes effect at once.
 */
import { computeProgress } from "@autowright/domain";
import {
  type FeatureId,
  notificationVersion,
  type Progress,
  type RunEndStatus,
  type RunStatus,
  runEndStatusSchema,
  type ServerEvent,
  type Settings,
  type WebhookNotification,
} from "@autowright/protocol";
import type { ProjectContext } from "../server-context.ts";

/** How long a post may take before it is abandoned. */
export const defaultWebhookTimeoutMs = 10_000;

/** What a notifier needs. */
export interface WebhookNotifierOptions {
  readonly project: ProjectContext;
  /** The settings as they are now (read at each post). */
  readonly settings: () => Settings;
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

interface Post {
  readonly controller: AbortController;
  readonly timer: NodeJS.Timeout;
}

/** Posts a project's notifications to the configured webhook; {@link WebhookNotifier.close} stops it. */
export class WebhookNotifier {
  readonly #project: ProjectContext;
  readonly #settings: () => Settings;
  readonly #timeoutMs: number;
  readonly #now: () => Date;
  readonly #unsubscribe: () => void;
  /** The features passing now, as the bus has told. */
  readonly #passing = new Set<FeatureId>();
  /** Features that newly pass and were not posted yet, in the order they passed. */
  readonly #newlyPassing = new Map<FeatureId, string>();
  #progressScheduled: NodeJS.Immediate | undefined;
  #progressInFlight = false;
  #lastRunStatus: RunStatus | undefined;
  readonly #posts = new Set<Post>();
  /** Every notification being built or sent, for {@link WebhookNotifier.idle}. */
  readonly #work = new Set<Promise<void>>();
  /** A failure was reported and no post has succeeded since. */
  #failing = false;
  #closed = false;

  constructor(options: WebhookNotifierOptions) {
    this.#project = options.project;
    this.#settings = options.settings;
    this.#timeoutMs = options.timeoutMs ?? defaultWebhookTimeoutMs;
    this.#now = options.now ?? (() => new Date());
    for (const feature of this.#project.store.listFeatures()) {
      if (feature.status === "passing") this.#passing.add(feature.id);
    }
    this.#unsubscribe = this.#project.events.subscribe((event) => {
      try {
        this.#observe(event);
      } catch (error) {
        this.#warn(`webhook notifications: could not handle ${event.type}: ${messageOf(error)}`);
      }
    });
  }

  /** Resolves once nothing is scheduled or in flight (for tests and orderly shutdowns). */
  async idle(): Promise<void> {
    while (this.#progressScheduled !== undefined || this.#work.size > 0) {
      if (this.#work.size > 0) await Promise.all([...this.#work]);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Stops following the bus and aborts the posts in flight; nothing is sent or logged afterwards. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    if (this.#progressScheduled !== undefined) clearImmediate(this.#progressScheduled);
    this.#progressScheduled = undefined;
    for (const post of this.#posts) {
      clearTimeout(post.timer);
      post.controller.abort();
    }
    this.#posts.clear();
  }

  #observe(event: ServerEvent): void {
    switch (event.type) {
      case "feature.created":
      case "feature.updated": {
        const { feature } = event.data;
        if (feature.status === "passing") {
          if (this.#passing.has(feature.id)) return;
          this.#passing.add(feature.id);
          // A feature created passing (an import) is not news; one that reaches `passing` is.
          if (event.type === "feature.created") return;
          this.#newlyPassing.set(feature.id, feature.name);
          this.#scheduleProgress();
        } else {
          this.#passing.delete(feature.id);
          this.#newlyPassing.delete(feature.id);
        }
        return;
      }
      case "feature.deleted":
        this.#passing.delete(event.data.id);
        this.#newlyPassing.delete(event.data.id);
        return;
      case "run.updated": {
        const previous = this.#lastRunStatus;
        this.#lastRunStatus = event.data.status;
        const ended = runEndStatusSchema.safeParse(event.data.status);
        // A repeated end status (say, `stalled` with a new reason) is the same end.
        if (!ended.success || (previous !== undefined && isRunEnd(previous))) return;
        this.#track(this.#sendRunEnded(ended.data, event.data.reason));
        return;
      }
      default:
        return;
    }
  }

  #scheduleProgress(): void {
    if (this.#closed || this.#progressInFlight || this.#progressScheduled !== undefined) return;
    this.#progressScheduled = setImmediate(() => {
      this.#progressScheduled = undefined;
      this.#track(this.#sendProgress());
    });
  }

  async #sendProgress(): Promise<void> {
    if (this.#closed || this.#newlyPassing.size === 0) return;
    const url = this.#settings().notificationsWebhookUrl;
    if (url === null) {
      this.#newlyPassing.clear();
      return;
    }
    const backlog = this.#project.store.listFeatures();
    const passingNow = new Set(
      backlog.filter((feature) => feature.status === "passing").map((feature) => feature.id),
    );
    // The bus may lag the store by a moment: only what still passes is announced.
    const features = [...this.#newlyPassing]
      .filter(([id]) => passingNow.has(id))
      .map(([id, name]) => ({ id, name }));
    this.#newlyPassing.clear();
    if (features.length === 0) return;
    const progress = computeProgress(backlog, { maxAttempts: this.#settings().maxAttempts });
    this.#progressInFlight = true;
    let delivered = false;
    try {
      delivered = await this.#post(url, {
        ...this.#envelope(progress),
        event: "features.passed",
        passing: progress.passing,
        total: progress.total,
        percentage: progress.percentage,
        previousPassing: Math.max(0, progress.passing - features.length),
        features,
      });
    } finally {
      this.#progressInFlight = false;
    }
    if (this.#closed) return;
    const passedMeanwhile = this.#newlyPassing.size > 0;
    if (!delivered) {
      // Kept for the next post, in front of what passed meanwhile (unless it stopped passing).
      const meanwhile = [...this.#newlyPassing];
      this.#newlyPassing.clear();
      for (const feature of features) {
        if (this.#passing.has(feature.id)) this.#newlyPassing.set(feature.id, feature.name);
      }
      for (const [id, name] of meanwhile) this.#newlyPassing.set(id, name);
    }
    if (passedMeanwhile) this.#scheduleProgress();
  }

  async #sendRunEnded(status: RunEndStatus, reason: string | undefined): Promise<void> {
    const url = this.#settings().notificationsWebhookUrl;
    if (url === null) return;
    await this.#post(url, {
      ...this.#envelope(this.#progress()),
      event: "run.ended",
      status,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  #envelope(progress: Progress) {
    return {
      version: notificationVersion,
      project: this.#project.name,
      at: this.#now().toISOString(),
      progress,
    } as const;
  }

  #progress(): Progress {
    return computeProgress(this.#project.store.listFeatures(), { maxAttempts: this.#settings().maxAttempts });
  }

  /** POSTs one notification; true when the receiver answered 2xx. Never throws. */
  async #post(url: string, notification: WebhookNotification): Promise<boolean> {
    if (this.#closed) return false;
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      this.#fail(url, "the URL is not valid");
      return false;
    }
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "autowright-notifier",
    };
    if (target.username !== "" || target.password !== "") {
      // fetch refuses URLs with credentials: they become Basic authentication.
      const credentials = `${decoded(target.username)}:${decoded(target.password)}`;
      headers["authorization"] = `Basic ${Buffer.from(credentials).toString("base64")}`;
      target.username = "";
      target.password = "";
    }
    const controller = new AbortController();
    const post: Post = {
      controller,
      timer: setTimeout(() => controller.abort(new TimeoutError(this.#timeoutMs)), this.#timeoutMs),
    };
    this.#posts.add(post);
    try {
      const response = await fetch(target, {
        method: "POST",
        headers,
        body: JSON.stringify(notification),
        signal: controller.signal,
        redirect: "error",
      });
      await response.body?.cancel().catch(() => {});
      if (!response.ok) {
        this.#fail(url, `the receiver answered ${response.status}`);
        return false;
      }
      this.#failing = false;
      return true;
    } catch (error) {
      this.#fail(url, reasonOf(error, controller.signal));
      return false;
    } finally {
      clearTimeout(post.timer);
      this.#posts.delete(post);
    }
  }

  #fail(url: string, reason: string): void {
    if (this.#closed || this.#failing) return;
    this.#failing = true;
    this.#warn(
      `webhook notification to ${describeTarget(url)} failed: ${scrub(reason, url)} ` +
        "(further failures are not reported until a notification goes through)",
    );
  }

  #warn(line: string): void {
    if (this.#closed) return;
    try {
      this.#project.events.ephemeral("log.appended", { line, level: "warn", source: "orchestrator" });
    } catch {
      // A closed bus drops the line; the run must not notice.
    }
  }

  #track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.#warn(`webhook notifications failed: ${messageOf(error)}`),
    );
    this.#work.add(tracked);
    void tracked.finally(() => this.#work.delete(tracked));
  }
}

class TimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs / 1000} s`);
    this.name = "TimeoutError";
  }
}

function isRunEnd(status: RunStatus): boolean {
  return runEndStatusSchema.safeParse(status).success;
}

/** Only the origin of a webhook URL is shown: its credentials, path and query may be secrets. */
function describeTarget(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "the configured URL";
  }
}

function reasonOf(error: unknown, signal: AbortSignal): string {
  if (signal.aborted && signal.reason instanceof TimeoutError) return signal.reason.message;
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string")
    return `${cause.code}${typeof cause.message === "string" ? ` (${cause.message})` : ""}`;
  return messageOf(error);
}

/** Removes every secret-bearing part of the URL from a message (an error text may quote it). */
function scrub(message: string, url: string): string {
  let result = message.replaceAll(url, "[webhook URL]");
  try {
    const parsed = new URL(url);
    const secrets = [
      parsed.href,
      parsed.username,
      parsed.password,
      decoded(parsed.username),
      decoded(parsed.password),
      parsed.search,
      parsed.pathname === "/" ? "" : parsed.pathname,
    ].filter((part) => part.length > 0);
    for (const secret of secrets) result = result.replaceAll(secret, "[redacted]");
  } catch {
    // Not a URL: nothing more to find.
  }
  return result;
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
