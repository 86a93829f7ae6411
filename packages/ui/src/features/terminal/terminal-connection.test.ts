import { terminalInputLimit } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import {
  encodeInputFrames,
  encodePingFrame,
  encodeResizeFrame,
  parseServerFrame,
  TerminalConnection,
  type TerminalConnectionStatus,
  type TerminalSocket,
  terminalKeepAlive,
} from "./terminal-connection.ts";

class FakeSocket implements TerminalSocket {
  readyState = 0;
  sent: string[] = [];
  closed: { code?: number | undefined; reason?: string | undefined } | undefined;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  readonly url: string;
  constructor(url: string) {
    this.url = url;
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  receive(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const output: string[] = [];
  const statuses: TerminalConnectionStatus[] = [];
  const errors: string[] = [];
  const exits: (number | null)[] = [];
  const opens: boolean[] = [];
  const timers = new Map<number, () => void>();
  let nextTimer = 1;
  let now = 0;
  const connection = new TerminalConnection({
    url: "ws://host/ws/projects/demo/terminals/t1",
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    onOutput: (data) => output.push(data),
    onOpen: (reconnected) => opens.push(reconnected),
    onStatus: (status) => statuses.push(status),
    onExit: (code) => exits.push(code),
    onError: (message) => errors.push(message),
    setInterval: (callback) => {
      const id = nextTimer++;
      timers.set(id, callback);
      return id;
    },
    clearInterval: (handle) => timers.delete(handle as number),
    now: () => now,
  });
  return {
    connection,
    sockets,
    output,
    statuses,
    errors,
    exits,
    opens,
    timers,
    tick: (ms: number) => {
      now += ms;
      for (const callback of [...timers.values()]) callback();
    },
    socket: () => sockets.at(-1) as FakeSocket,
  };
}

describe("terminal frames", () => {
  it("encodes input as protocol frames and splits a large paste under the limit", () => {
    expect(encodeInputFrames("ls -la\r")).toEqual([JSON.stringify({ type: "input", data: "ls -la\r" })]);
    const paste = "x".repeat(terminalInputLimit * 2 + 5);
    const frames = encodeInputFrames(paste);
    expect(frames).toHaveLength(3);
    const parts = frames.map((frame) => JSON.parse(frame).data as string);
    expect(parts.join("")).toBe(paste);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(terminalInputLimit);
  });

  it("never splits a surrogate pair", () => {
    const frames = encodeInputFrames("ab😀cd", 3);
    const parts = frames.map((frame) => JSON.parse(frame).data as string);
    expect(parts.join("")).toBe("ab😀cd");
    expect(parts[0]).toBe("ab");
    expect(parts[1]).toBe("😀c");
  });

  it("clamps resize frames to the protocol's limits and refuses nonsense", () => {
    expect(JSON.parse(encodeResizeFrame(120.7, 40) ?? "")).toEqual({ type: "resize", cols: 120, rows: 40 });
    expect(JSON.parse(encodeResizeFrame(0, 5000) ?? "")).toEqual({ type: "resize", cols: 1, rows: 1000 });
    expect(encodeResizeFrame(Number.NaN, 10)).toBeUndefined();
    expect(JSON.parse(encodePingFrame())).toEqual({ type: "ping" });
  });

  it("parses server frames with the protocol's schemas", () => {
    expect(parseServerFrame('{"type":"output","data":"hi"}')).toEqual({
      ok: true,
      frame: { type: "output", data: "hi" },
    });
    expect(parseServerFrame('{"type":"exit","exitCode":0}')).toEqual({
      ok: true,
      frame: { type: "exit", exitCode: 0 },
    });
    expect(parseServerFrame("not json").ok).toBe(false);
    expect(parseServerFrame('{"type":"output"}')).toEqual({ ok: false, reason: 'an invalid "output" frame' });
    expect(parseServerFrame('{"type":"launch"}').ok).toBe(false);
    expect(parseServerFrame(new ArrayBuffer(2)).ok).toBe(false);
  });
});

describe("TerminalConnection", () => {
  it("sends the size on open, forwards keys and writes output", () => {
    const h = harness();
    h.connection.resize(100, 30);
    h.connection.connect();
    h.connection.input("dropped before open");
    h.socket().open();
    expect(h.statuses).toEqual(["connecting", "open"]);
    expect(h.socket().sent).toEqual([JSON.stringify({ type: "resize", cols: 100, rows: 30 })]);
    h.connection.input("echo hi\r");
    h.connection.resize(100, 30);
    h.connection.resize(80, 24);
    expect(h.socket().sent.slice(1)).toEqual([
      JSON.stringify({ type: "input", data: "echo hi\r" }),
      JSON.stringify({ type: "resize", cols: 80, rows: 24 }),
    ]);
    h.socket().receive('{"type":"output","data":"hi\\r\\n"}');
    h.socket().receive("{broken");
    expect(h.output).toEqual(["hi\r\n"]);
    expect(h.errors).toEqual(["The server sent a frame that is not JSON."]);
  });

  it("reconnects on the next key press after a drop, not by itself, and says it is a reconnect", () => {
    const h = harness();
    h.connection.connect();
    h.socket().open();
    h.socket().drop();
    expect(h.connection.status).toBe("dropped");
    expect(h.sockets).toHaveLength(1);
    expect(h.timers.size).toBe(0);
    h.connection.input("q");
    expect(h.sockets).toHaveLength(2);
    h.socket().open();
    expect(h.opens).toEqual([false, true]);
    // The key that reconnected is not sent to the shell.
    expect(h.socket().sent).toEqual([]);
    expect(h.statuses).toEqual(["connecting", "open", "dropped", "connecting", "open"]);
  });

  it("treats an unknown terminal as gone, and an exit as final", () => {
    const gone = harness();
    gone.connection.connect();
    gone.socket().receive('{"type":"error","code":"not_found","message":"no such terminal: t1"}');
    gone.socket().drop(4404, "no such terminal");
    expect(gone.connection.status).toBe("gone");
    gone.connection.input("x");
    expect(gone.sockets).toHaveLength(1);

    const exited = harness();
    exited.connection.connect();
    exited.socket().open();
    exited.socket().receive('{"type":"exit","exitCode":3}');
    expect(exited.exits).toEqual([3]);
    exited.socket().drop();
    expect(exited.connection.status).toBe("exited");
    exited.connection.input("x");
    expect(exited.socket().sent).toEqual([]);
  });

  it("pings while attached and drops a silent socket", () => {
    const h = harness();
    h.connection.connect();
    h.socket().open();
    h.tick(terminalKeepAlive.pingMs);
    expect(h.socket().sent).toEqual([JSON.stringify({ type: "ping" })]);
    h.tick(terminalKeepAlive.silenceMs);
    expect(h.connection.status).toBe("dropped");
    expect(h.socket().closed?.code).toBe(4000);
    expect(h.timers.size).toBe(0);
  });

  it("leaves nothing running once disposed", () => {
    const h = harness();
    h.connection.connect();
    h.socket().open();
    expect(h.timers.size).toBe(1);
    h.connection.dispose();
    expect(h.timers.size).toBe(0);
    expect(h.socket().closed?.code).toBe(1000);
    expect(h.socket().onmessage).toBeNull();
    h.connection.input("x");
    h.connection.connect();
    expect(h.sockets).toHaveLength(1);
    expect(h.statuses.at(-1)).toBe("open");
  });
});
