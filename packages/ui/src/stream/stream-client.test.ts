import { protocolVersion, type ServerEvent } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import { durableEvent, helloEvent } from "../test-support.ts";
import {
  type ConnectionStatus,
  clientPingMs,
  ProjectStreamClient,
  reconnectDelays,
  type StreamEnvironment,
  silenceLimitMs,
} from "./stream-client.ts";

/** A socket the test drives: open it, send it frames, close it. */
class FakeSocket {
  readyState = 0;
  sent: string[] = [];
  closedWith: { code: number; reason: string } | undefined;
  onopen: (() => void) | null = null;
  onmessage: ((message: { data: unknown }) => void) | null = null;
  onclose: ((close: { code: number; reason: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code: number, reason: string): void {
    this.readyState = 3;
    this.closedWith = { code, reason };
  }
}

/** A clock and timers the test advances by hand, and the sockets created. */
function harness(options: { sinceSeq?: number } = {}) {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const sockets: FakeSocket[] = [];
  const statuses: ConnectionStatus[] = [];
  const events: ServerEvent[] = [];
  const invalid: string[] = [];
  let wake: (() => void) | undefined;
  const environment: StreamEnvironment = {
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
    setTimeout: (callback, ms) => {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as number);
    },
    now: () => now,
    onWake: (callback) => {
      wake = callback;
      return () => {
        wake = undefined;
      };
    },
  };
  const client = new ProjectStreamClient({
    project: "shop",
    baseUrl: "http://127.0.0.1:8888",
    environment,
    onEvent: (event) => events.push(event),
    onStatus: (status) => statuses.push(status),
    onInvalidFrame: (reason) => invalid.push(reason),
    ...(options.sinceSeq === undefined ? {} : { sinceSeq: options.sinceSeq }),
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...timers.entries()]
        .filter(([, timer]) => timer.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].callback();
    }
    now = until;
  };
  return {
    client,
    sockets,
    statuses,
    events,
    invalid,
    timers,
    advance,
    wake: () => wake?.(),
    hasWakeListener: () => wake !== undefined,
    last: () => sockets.at(-1) as FakeSocket,
  };
}

describe("the stream client", () => {
  it("connects to the project's stream with sinceSeq and passes parsed frames on", () => {
    const test = harness({ sinceSeq: 0 });
    test.client.start();
    expect(test.last().url).toBe("ws://127.0.0.1:8888/ws/projects/shop?sinceSeq=0");
    test.last().open();
    test.last().receive(helloEvent({}, 4, "shop"));
    test.last().receive(durableEvent("run.updated", { status: "running" }, 5));
    expect(test.events.map((event) => event.type)).toEqual(["hello", "run.updated"]);
    expect(test.statuses).toEqual(["connecting", "open"]);
    expect(test.client.lastSeq).toBe(5);
  });

  it("reports frames that do not parse instead of guessing", () => {
    const test = harness();
    test.client.start();
    test.last().open();
    test.last().receive("not json");
    test.last().receive({ v: protocolVersion, type: "agent.updated", at: "x", data: {} });
    test.last().receive({
      v: protocolVersion,
      type: "run.updated",
      at: new Date(0).toISOString(),
      data: { status: "running" },
    });
    expect(test.events).toEqual([]);
    expect(test.invalid).toHaveLength(3);
  });

  it("reconnects with backoff and asks for the events it missed", () => {
    const test = harness({ sinceSeq: 0 });
    test.client.start();
    test.last().open();
    test.last().receive(helloEvent({}, 2, "shop"));
    test.last().receive(durableEvent("run.updated", { status: "running" }, 3));
    test.last().drop();
    expect(test.statuses.at(-1)).toBe("reconnecting");
    expect(test.sockets).toHaveLength(1);
    test.advance(reconnectDelays.initialMs - 1);
    expect(test.sockets).toHaveLength(1);
    test.advance(1);
    expect(test.sockets).toHaveLength(2);
    expect(test.last().url).toContain("sinceSeq=3");
    // It fails again: the next delay doubles.
    test.last().drop();
    test.advance(reconnectDelays.initialMs * 2 - 1);
    expect(test.sockets).toHaveLength(2);
    test.advance(1);
    expect(test.sockets).toHaveLength(3);
    // The delay never passes the maximum.
    for (let attempt = 0; attempt < 8; attempt++) {
      test.last().drop();
      test.advance(reconnectDelays.maxMs);
    }
    expect(test.sockets).toHaveLength(11);
  });

  it("reconnects at once when the tab wakes up, without waiting for the backoff", () => {
    const test = harness();
    test.client.start();
    test.last().open();
    test.last().receive(helloEvent({}, 0, "shop"));
    test.last().drop();
    test.advance(100);
    test.wake();
    expect(test.sockets).toHaveLength(2);
  });

  it("treats 90 s of silence as a dead socket", () => {
    const test = harness();
    test.client.start();
    test.last().open();
    test.last().receive(helloEvent({}, 0, "shop"));
    test.advance(silenceLimitMs - 1_000);
    test.last().receive({ v: protocolVersion, type: "pong", at: new Date(0).toISOString(), data: {} });
    test.advance(silenceLimitMs - 1_000);
    expect(test.sockets).toHaveLength(1);
    test.advance(1_000);
    expect(test.sockets).toHaveLength(2);
    expect(test.sockets[0]?.closedWith?.code).toBe(4000);
  });

  it("pings while open", () => {
    const test = harness();
    test.client.start();
    test.last().open();
    test.advance(clientPingMs);
    expect(test.last().sent.map((frame) => JSON.parse(frame))).toEqual([
      { v: protocolVersion, type: "ping" },
    ]);
  });

  it("leaves nothing running once stopped", () => {
    const test = harness();
    test.client.start();
    test.last().open();
    test.last().receive(helloEvent({}, 0, "shop"));
    test.client.stop();
    expect(test.timers.size).toBe(0);
    expect(test.hasWakeListener()).toBe(false);
    expect(test.sockets[0]?.closedWith?.code).toBe(1000);
    test.sockets[0]?.drop();
    test.advance(60_000);
    expect(test.sockets).toHaveLength(1);
    expect(test.statuses.at(-1)).toBe("stopped");
  });
});
