import type { AddressInfo } from "node:net";
import { type TerminalServerFrame, terminalServerFrameSchema } from "@autowright/protocol";
import { eventually, type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { type Terminal, TerminalManager } from "./terminal-manager.ts";
import { attachTerminalSocket } from "./terminal-socket.ts";

let directory: TemporaryDirectory;
let terminals: TerminalManager;
let server: WebSocketServer;
let clients: WebSocket[] = [];
/** The terminal each new connection attaches to. */
let target: Terminal;

beforeEach(async () => {
  directory = temporaryDirectory("autowright-terminal-socket-test-");
  terminals = new TerminalManager({
    cwd: directory.path,
    environment: () => ({ PATH: process.env["PATH"], HOME: directory.path }),
    shellArguments: ["--noprofile", "--norc"],
  });
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  server.on("connection", (socket) => attachTerminalSocket(socket, target));
  await new Promise<void>((resolve) => server.once("listening", resolve));
});
afterEach(async () => {
  for (const client of clients) client.terminate();
  clients = [];
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await terminals.close();
  directory[Symbol.dispose]();
});

interface Client {
  readonly socket: WebSocket;
  readonly frames: TerminalServerFrame[];
  output(): string;
  send(frame: unknown): void;
}

async function connect(): Promise<Client> {
  const { port } = server.address() as AddressInfo;
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  clients.push(socket);
  const frames: TerminalServerFrame[] = [];
  socket.on("message", (raw) => frames.push(terminalServerFrameSchema.parse(JSON.parse(String(raw)))));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    socket.once("error", reject);
  });
  return {
    socket,
    frames,
    output: () => frames.map((frame) => (frame.type === "output" ? frame.data : "")).join(""),
    send: (frame) => socket.send(typeof frame === "string" ? frame : JSON.stringify(frame)),
  };
}

async function waitFor(description: string, check: () => boolean, client?: Client): Promise<void> {
  await eventually(check).catch(() => {
    throw new Error(`waited for ${description}; output: ${JSON.stringify(client?.output().slice(-400))}`);
  });
}

describe("attachTerminalSocket", () => {
  it("replays the scrollback, then pipes input and output both ways", async () => {
    target = terminals.create();
    const local = { output: "" };
    const detach = target.attach({ output: (data) => (local.output += data), exit: () => {} });
    target.write("echo early$((5*5))\r");
    await waitFor("the early marker", () => local.output.includes("early25"));
    detach();

    const client = await connect();
    await waitFor("the replay", () => client.output().includes("early25"), client);
    client.send({ type: "input", data: "echo typed$((6*6))\r" });
    await waitFor("the typed marker", () => client.output().includes("typed36"), client);
    client.send({ type: "resize", cols: 100, rows: 33 });
    await waitFor("the resize", () => target.info().cols === 100 && target.info().rows === 33);
    client.send({ type: "input", data: "echo S$(stty size)E\r" });
    await waitFor("the new size", () => client.output().includes("S33 100E"), client);
    client.send({ type: "ping" });
    await waitFor("a pong", () => client.frames.some((frame) => frame.type === "pong"));
  });

  it("answers malformed and unknown frames with an error frame and never writes them to the shell", async () => {
    target = terminals.create();
    const client = await connect();
    const refused: [unknown, string][] = [
      ["BADFRAME-not-json", "invalid_json"],
      [{ type: "BADFRAME-unknown" }, "invalid_input"],
      [{ type: "input" }, "invalid_input"],
      [{ type: "input", data: 42 }, "invalid_input"],
      [{ type: "input", data: "BADFRAME-extra", extra: true }, "invalid_input"],
      [{ type: "input", data: "x".repeat(64 * 1024 + 1) }, "invalid_input"],
      [{ type: "resize", cols: 0, rows: 10 }, "invalid_input"],
      [{ type: "resize", cols: 80, rows: 1001 }, "invalid_input"],
      [{ type: "resize", cols: 80.5, rows: 24 }, "invalid_input"],
      [["BADFRAME-array"], "invalid_input"],
      [null, "invalid_input"],
    ];
    for (const [frame, _code] of refused) client.send(frame);
    client.socket.send(Buffer.from("BADFRAME-binary"), { binary: true });
    const errors = () => client.frames.filter((frame) => frame.type === "error");
    await waitFor("an error frame per bad frame", () => errors().length === refused.length + 1);
    expect(errors().map((frame) => (frame.type === "error" ? frame.code : ""))).toEqual([
      ...refused.map(([, code]) => code),
      "invalid_input",
    ]);
    expect(target.info()).toMatchObject({ cols: 80, rows: 24 });

    client.send({ type: "input", data: "echo still$((7*7))\r" });
    await waitFor("the shell to answer", () => client.output().includes("still49"), client);
    expect(client.output()).not.toContain("BADFRAME");
    expect(client.socket.readyState).toBe(WebSocket.OPEN);
  });

  it("sends output to every attached socket and only while attached", async () => {
    target = terminals.create();
    const first = await connect();
    const second = await connect();
    await waitFor("two clients", () => target.clientCount === 2);
    first.send({ type: "input", data: "echo both$((8*8))\r" });
    await waitFor(
      "both outputs",
      () => first.output().includes("both64") && second.output().includes("both64"),
    );

    first.socket.close();
    await waitFor("one client", () => target.clientCount === 1);
    const framesAfterClose = first.frames.length;
    second.send({ type: "input", data: "echo alone$((9*9))\r" });
    await waitFor("the second output", () => second.output().includes("alone81"), second);
    expect(first.frames.length).toBe(framesAfterClose);

    second.socket.terminate();
    await waitFor("no client", () => target.clientCount === 0);
  });

  it("sends the exit and refuses input afterwards", async () => {
    target = terminals.create();
    const client = await connect();
    client.send({ type: "input", data: "exit 5\r" });
    await waitFor("the exit frame", () => client.frames.some((frame) => frame.type === "exit"), client);
    expect(client.frames.find((frame) => frame.type === "exit")).toEqual({ type: "exit", exitCode: 5 });
    client.send({ type: "input", data: "echo late\r" });
    await waitFor("the refusal", () =>
      client.frames.some((frame) => frame.type === "error" && frame.code === "conflict"),
    );

    const late = await connect();
    await waitFor("the exit on attach", () => late.frames.some((frame) => frame.type === "exit"), late);
  });

  it("sends the exit when the terminal is killed", async () => {
    target = terminals.create();
    const client = await connect();
    await terminals.kill(target.id);
    await waitFor("the exit frame", () => client.frames.some((frame) => frame.type === "exit"), client);
    const exit = client.frames.find((frame) => frame.type === "exit");
    expect(exit?.type === "exit" && exit.signal).toBeTruthy();
  });
});
