import { EventEmitter } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { ProjectHost } from "./project-host.ts";
import type { ProjectHosts } from "./project-hosts.ts";
import { ProjectStreams } from "./project-stream.ts";
import { createTestProject, type TestProject } from "./test-project.ts";

/** A socket whose send buffer the test controls: what a slow client looks like to the server. */
class FakeSocket extends EventEmitter {
  bufferedAmount = 0;
  readonly sent: { type: string; seq?: number; data: unknown }[] = [];
  closedWith: { code: number; reason: string } | undefined;
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.emit("close", code, Buffer.from(reason));
  }
  ping(): void {}
  terminate(): void {
    this.close(1006, "terminated");
  }
}

let project: TestProject | undefined;
let host: ProjectHost | undefined;
afterEach(async () => {
  await host?.close();
  project?.close();
  host = undefined;
  project = undefined;
});

function streamsFor(
  limits: { dropEphemeralAboveBytes: number; closeAboveBytes: number },
  browserViews?: ConstructorParameters<typeof ProjectStreams>[0]["browserViews"],
) {
  project = createTestProject();
  host = ProjectHost.open(
    { name: "demo", path: project.root, createdAt: new Date().toISOString() },
    { url: "http://127.0.0.1:1", settings: () => project?.server.settings() as never },
  );
  const opened = host;
  const hosts = { host: () => opened } as unknown as ProjectHosts;
  return {
    streams: new ProjectStreams({
      hosts,
      version: "t",
      limits,
      ...(browserViews === undefined ? {} : { browserViews }),
    }),
    host: opened,
  };
}

describe("a slow client", () => {
  it("loses ephemeral frames first (and is told how many), keeps durable ones, and is closed past the limit", () => {
    const { streams, host: opened } = streamsFor({ dropEphemeralAboveBytes: 100, closeAboveBytes: 1_000 });
    const socket = new FakeSocket();
    streams.attach(socket as unknown as WebSocket, "demo", undefined);
    expect(socket.sent[0]?.type).toBe("hello");

    socket.bufferedAmount = 500;
    for (let index = 0; index < 5; index += 1)
      opened.events.ephemeral("log.appended", { line: `line ${index}`, level: "info", source: "agent" });
    opened.events.durable("run.updated", { status: "running" });
    expect(socket.sent.map((frame) => frame.type)).toEqual(["hello", "run.updated"]);

    socket.bufferedAmount = 0;
    opened.events.ephemeral("log.appended", { line: "after", level: "info", source: "agent" });
    expect(socket.sent.slice(2).map((frame) => (frame.data as { line: string }).line)).toEqual([
      "5 live log lines were dropped because this connection was slow (the session logs keep them)",
      "after",
    ]);

    socket.bufferedAmount = 5_000;
    opened.events.durable("run.updated", { status: "paused" });
    expect(socket.closedWith?.code).toBe(4008);
    expect(socket.closedWith?.reason).toMatch(/reconnect with sinceSeq=\d+/);
    opened.events.durable("run.updated", { status: "running" });
    expect(socket.sent.filter((frame) => frame.type === "run.updated")).toHaveLength(1);
    expect(streams.connectionCount).toBe(0);
    streams.close();
  });

  it("serializes each event once for all clients and stops listening when the last one leaves", () => {
    const { streams, host: opened } = streamsFor({ dropEphemeralAboveBytes: 1e9, closeAboveBytes: 1e9 });
    const sockets = [new FakeSocket(), new FakeSocket()];
    for (const socket of sockets) streams.attach(socket as unknown as WebSocket, "demo", "0");
    opened.events.durable("run.updated", { status: "running" });
    for (const socket of sockets)
      expect(socket.sent.map((frame) => frame.type)).toEqual(["hello", "run.updated"]);
    for (const socket of sockets) socket.close(1000, "bye");
    expect(streams.connectionCount).toBe(0);
    opened.events.durable("run.updated", { status: "stopped" });
    for (const socket of sockets) expect(socket.sent).toHaveLength(2);
    streams.close();
  });
});

describe("the live view of the app", () => {
  it("is looked up only when a client subscribes, and a closing socket leaves it without asking for it again", () => {
    const calls: string[] = [];
    const view = {
      subscribe: () => calls.push("subscribe"),
      unsubscribe: () => calls.push("unsubscribe"),
    };
    let lookups = 0;
    const { streams } = streamsFor({ dropEphemeralAboveBytes: 1e9, closeAboveBytes: 1e9 }, () => {
      lookups += 1;
      // After the server began to close, looking a project up throws: a closing socket must not do it.
      if (lookups > 1) throw new Error("the server is shutting down");
      return view as never;
    });
    const watcher = new FakeSocket();
    const bystander = new FakeSocket();
    streams.attach(watcher as unknown as WebSocket, "demo", undefined);
    streams.attach(bystander as unknown as WebSocket, "demo", undefined);
    watcher.emit("message", Buffer.from(JSON.stringify({ v: 1, type: "browser.subscribe" })), false);
    bystander.close(1000, "bye");
    watcher.close(1000, "bye");
    expect(calls).toEqual(["subscribe", "unsubscribe"]);
    expect(lookups).toBe(1);
    streams.close();
  });

  it("answers a message that fails with an error frame instead of throwing", () => {
    const { streams } = streamsFor({ dropEphemeralAboveBytes: 1e9, closeAboveBytes: 1e9 }, () => {
      throw new Error("boom");
    });
    const socket = new FakeSocket();
    streams.attach(socket as unknown as WebSocket, "demo", undefined);
    socket.emit("message", Buffer.from(JSON.stringify({ v: 1, type: "browser.subscribe" })), false);
    expect(socket.sent.at(-1)).toMatchObject({ type: "error", data: { code: "internal_error" } });
    expect(socket.closedWith).toBeUndefined();
    streams.close();
  });
});
