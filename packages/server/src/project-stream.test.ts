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

function streamsFor(limits: { dropEphemeralAboveBytes: number; closeAboveBytes: number }) {
  project = createTestProject();
  host = ProjectHost.open(
    { name: "demo", path: project.root, createdAt: new Date().toISOString() },
    { url: "http://127.0.0.1:1", settings: () => project?.server.settings() as never },
  );
  const opened = host;
  const hosts = { host: () => opened } as unknown as ProjectHosts;
  return { streams: new ProjectStreams({ hosts, version: "t", limits }), host: opened };
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
