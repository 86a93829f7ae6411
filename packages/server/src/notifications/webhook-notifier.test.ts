import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EventBus } from "@autowright/orchestrator";
import {
  type FeatureId,
  featureImportEntrySchema,
  type LogAppendedData,
  type Settings,
  settingsSchema,
  type WebhookNotification,
  webhookNotificationSchema,
} from "@autowright/protocol";
import { eventually, testFeature } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestProject, type TestProject } from "../test-project.ts";
import { WebhookNotifier } from "./webhook-notifier.ts";

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
  readonly body: WebhookNotification;
}

/** A real HTTP receiver on 127.0.0.1 that answers `status` (or never answers while `hang` is set). */
class Receiver {
  readonly requests: Received[] = [];
  status = 200;
  /** While set, requests are held (in `held`) until {@link Receiver.release}. */
  hang = false;
  readonly held: ServerResponse[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.on("request", (request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        receiver.requests.push({
          headers: request.headers,
          url: request.url ?? "",
          body: webhookNotificationSchema.parse(JSON.parse(Buffer.concat(chunks).toString("utf8"))),
        });
        if (receiver.hang) receiver.held.push(response);
        else response.writeHead(receiver.status).end("ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return receiver;
  }

  /** Answers the held requests and stops holding. */
  release(status = 200): void {
    this.hang = false;
    for (const response of this.held.splice(0)) response.writeHead(status).end("ok");
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  url(path = "/hook"): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

let project: TestProject;
let receiver: Receiver;
let notifier: WebhookNotifier | undefined;
let settings: Settings;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(async () => {
  project = createTestProject();
  receiver = await Receiver.start();
  settings = settingsSchema.parse({});
  unhandled.length = 0;
  process.on("unhandledRejection", onUnhandled);
});
afterEach(async () => {
  notifier?.close();
  notifier = undefined;
  await receiver.close();
  project.close();
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
});

function start(options: { url?: string | null; timeoutMs?: number } = {}): WebhookNotifier {
  settings = {
    ...settings,
    notificationsWebhookUrl: options.url === undefined ? receiver.url() : options.url,
  };
  notifier = new WebhookNotifier({
    project: project.project,
    settings: () => settings,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return notifier;
}

function bus(): EventBus {
  return project.project.events as EventBus;
}

function createFeatures(...names: string[]): FeatureId[] {
  const created = project.project.store.createFeatures(
    names.map((name) => featureImportEntrySchema.parse({ name })),
    { maxDependenciesPerFeature: 20 },
  );
  bus().flush();
  return created.map((feature) => feature.id);
}

/** Moves features to `passing` the way a run does, then publishes the store's events. */
function pass(...ids: FeatureId[]): void {
  const store = project.project.store;
  for (const id of ids) {
    for (const to of ["in_progress", "verifying", "passing"] as const) {
      store.changeFeatureStatus(id, { to, actor: { kind: "orchestrator" } });
    }
  }
  bus().flush();
}

function warnings(): LogAppendedData[] {
  return project.events.flatMap((event) =>
    event.type === "log.appended" && event.data.level === "warn" ? [event.data] : [],
  );
}

async function waitFor(description: string, check: () => boolean): Promise<void> {
  await eventually(check).catch(() => {
    throw new Error(
      `waited for ${description}; received ${JSON.stringify(receiver.requests.map((request) => request.body))}, warnings ${JSON.stringify(warnings())}`,
    );
  });
}

describe("WebhookNotifier", () => {
  it("posts the newly passing features with the counts", async () => {
    const [login, signup, logout] = createFeatures("Login", "Signup", "Logout") as [number, number, number];
    start();
    pass(login);
    await waitFor("one post", () => receiver.requests.length === 1);
    const [first] = receiver.requests;
    expect(first?.url).toBe("/hook");
    expect(first?.headers["content-type"]).toBe("application/json");
    expect(first?.body).toMatchObject({
      version: 1,
      event: "features.passed",
      project: "demo",
      passing: 1,
      total: 3,
      percentage: 33.3,
      previousPassing: 0,
      features: [{ id: login, name: "Login" }],
      progress: { passing: 1, pending: 2, total: 3 },
    });

    pass(signup, logout);
    await waitFor("a second post", () => receiver.requests.length === 2);
    expect(receiver.requests[1]?.body).toMatchObject({
      event: "features.passed",
      passing: 3,
      previousPassing: 1,
      features: [
        { id: signup, name: "Signup" },
        { id: logout, name: "Logout" },
      ],
    });
    await notifier?.idle();
    expect(receiver.requests).toHaveLength(2);
    expect(warnings()).toEqual([]);
  });

  it("merges the features that pass while a post is in flight into one next post", async () => {
    const ids = createFeatures("A", "B", "C", "D") as [number, number, number, number];
    start();
    receiver.hang = true;
    pass(ids[0]);
    await waitFor("the first post to arrive", () => receiver.requests.length === 1);
    pass(ids[1]);
    pass(ids[2], ids[3]);
    receiver.release();
    await waitFor("the merged post", () => receiver.requests.length === 2);
    await notifier?.idle();
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[0]?.body).toMatchObject({ passing: 1, features: [{ id: ids[0] }] });
    expect(receiver.requests[1]?.body).toMatchObject({
      event: "features.passed",
      passing: 4,
      previousPassing: 1,
      features: [{ id: ids[1] }, { id: ids[2] }, { id: ids[3] }],
    });
    expect(warnings()).toEqual([]);
  });

  it("posts the run's end once, with its status and reason", async () => {
    createFeatures("A");
    start();
    bus().durable("run.updated", { status: "starting" });
    bus().durable("run.updated", { status: "running" });
    bus().durable("run.updated", { status: "stalled", reason: "feature 1 waits for input" });
    bus().durable("run.updated", { status: "stalled", reason: "still waiting" });
    await waitFor("the run end", () => receiver.requests.length === 1);
    await notifier?.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]?.body).toMatchObject({
      version: 1,
      event: "run.ended",
      status: "stalled",
      reason: "feature 1 waits for input",
      progress: { total: 1, passing: 0 },
    });

    bus().durable("run.updated", { status: "running" });
    bus().durable("run.updated", { status: "completed" });
    await waitFor("the second run end", () => receiver.requests.length === 2);
    expect(receiver.requests[1]?.body).toMatchObject({ event: "run.ended", status: "completed" });
  });

  it("sends nothing while the setting is null and follows a change of the setting", async () => {
    const [first, second] = createFeatures("First", "Second") as [number, number];
    start({ url: null });
    pass(first);
    bus().durable("run.updated", { status: "running" });
    bus().durable("run.updated", { status: "completed" });
    await notifier?.idle();

    settings = { ...settings, notificationsWebhookUrl: receiver.url("/later") };
    pass(second);
    await waitFor("the post after the change", () => receiver.requests.length === 1);
    await notifier?.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]).toMatchObject({
      url: "/later",
      body: { event: "features.passed", passing: 2, previousPassing: 1, features: [{ id: second }] },
    });
  });

  it("does not announce features created passing, nor features that already passed", async () => {
    start();
    const [imported] = project.project.store.insertFeaturesVerbatim([
      testFeature({ id: 7, name: "Imported", status: "passing" }),
    ]);
    bus().flush();
    expect(project.events.some((event) => event.type === "feature.created")).toBe(true);
    if (imported === undefined) throw new Error("nothing was imported");
    bus().durable("feature.updated", { feature: imported });
    await notifier?.idle();
    expect(receiver.requests).toEqual([]);
  });

  it("reports a receiver that is down once, as a warning without the URL's secrets", async () => {
    const ids = createFeatures("A", "B");
    const port = receiver.port;
    await receiver.close();
    start({ url: `http://someone:s3cret-pass@127.0.0.1:${port}/hook/t0ken-path?key=q5ecret` });
    pass(ids[0] as number);
    await notifier?.idle();
    pass(ids[1] as number);
    bus().durable("run.updated", { status: "running" });
    bus().durable("run.updated", { status: "crashed", reason: "boom" });
    await notifier?.idle();

    expect(warnings()).toHaveLength(1);
    const [warning] = warnings();
    expect(warning?.source).toBe("orchestrator");
    expect(warning?.line).toContain(`http://127.0.0.1:${port}`);
    expect(warning?.line).toContain("ECONNREFUSED");
    for (const secret of ["someone", "s3cret", "t0ken", "q5ecret", "key="])
      expect(warning?.line).not.toContain(secret);
    receiver = await Receiver.start();
  });

  it("sends credentials as Basic authentication and warns again only after a success", async () => {
    const ids = createFeatures("A", "B", "C");
    start({ url: `http://user:pa%40ss@127.0.0.1:${receiver.port}/hook?token=abc` });
    receiver.status = 500;
    pass(ids[0] as number);
    await waitFor("the failing post", () => receiver.requests.length === 1);
    await notifier?.idle();
    expect(receiver.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("user:pa@ss").toString("base64")}`,
    );
    expect(receiver.requests[0]?.url).toBe("/hook?token=abc");
    expect(warnings().map((warning) => warning.line)).toEqual([expect.stringContaining("answered 500")]);
    expect(warnings()[0]?.line).not.toContain("abc");

    receiver.status = 200;
    pass(ids[1] as number);
    await waitFor("the succeeding post", () => receiver.requests.length === 2);
    await notifier?.idle();
    // The failed post's feature is carried into the next one.
    expect(receiver.requests[1]?.body).toMatchObject({ features: [{ id: ids[0] }, { id: ids[1] }] });

    receiver.status = 503;
    pass(ids[2] as number);
    await waitFor("the third post", () => receiver.requests.length === 3);
    await notifier?.idle();
    expect(warnings()).toHaveLength(2);
  });

  it("gives up on a receiver that does not answer in time", async () => {
    const [id] = createFeatures("A") as [number];
    receiver.hang = true;
    start({ timeoutMs: 200 });
    pass(id);
    await notifier?.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(warnings().map((warning) => warning.line)).toEqual([
      expect.stringContaining("no answer within 0.2 s"),
    ]);
  });

  it("close() aborts the post in flight, unsubscribes and stays silent", async () => {
    const [first, second] = createFeatures("A", "B") as [number, number];
    receiver.hang = true;
    const closing = start();
    pass(first);
    await waitFor("the post to arrive", () => receiver.requests.length === 1);
    closing.close();
    await closing.idle();
    pass(second);
    bus().durable("run.updated", { status: "running" });
    bus().durable("run.updated", { status: "stopped" });
    await closing.idle();
    expect(receiver.requests).toHaveLength(1);
    expect(warnings()).toEqual([]);
  });
});
