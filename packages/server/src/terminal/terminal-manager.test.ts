import { realpathSync } from "node:fs";
import { AppError } from "@autowright/protocol";
import { eventually, processRunning, type TemporaryDirectory, temporaryDirectory } from "@autowright/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Scrollback } from "./scrollback.ts";
import {
  chooseShell,
  type Terminal,
  TerminalManager,
  type TerminalManagerOptions,
  terminalEnvironment,
} from "./terminal-manager.ts";

let directory: TemporaryDirectory;
let managers: TerminalManager[] = [];

beforeEach(() => {
  directory = temporaryDirectory("autowright-terminal-test-");
});
afterEach(async () => {
  await Promise.all(managers.map((manager) => manager.close()));
  managers = [];
  directory[Symbol.dispose]();
});

function manager(options: Partial<TerminalManagerOptions> = {}): TerminalManager {
  const created = new TerminalManager({
    cwd: directory.path,
    environment: () => ({ PATH: process.env["PATH"], HOME: directory.path, MARKER_VALUE: "from-env" }),
    shell: "/bin/bash",
    shellArguments: ["--noprofile", "--norc"],
    ...options,
  });
  managers.push(created);
  return created;
}

/** Collects a terminal's output (replay included) until detached. */
function collect(terminal: Terminal) {
  const seen = { output: "", exits: [] as { exitCode: number | null; signal: number | undefined }[] };
  const detach = terminal.attach({
    output: (data) => {
      seen.output += data;
    },
    exit: (exitCode, signal) => seen.exits.push({ exitCode, signal }),
  });
  return { seen, detach };
}

async function waitForOutput(seen: { output: string }, text: string): Promise<void> {
  await eventually(() => seen.output.includes(text)).catch(() => {
    throw new Error(
      `waited for ${JSON.stringify(text)} in the output; got ${JSON.stringify(seen.output.slice(-500))}`,
    );
  });
}

/** Runs a command that prints `prefix` + its result + `suffix`; the computed marker cannot be the echoed input. */
async function run(
  terminal: Terminal,
  seen: { output: string },
  command: string,
  marker: string,
): Promise<void> {
  terminal.write(`${command}\r`);
  await waitForOutput(seen, marker);
}

describe("TerminalManager", () => {
  it("runs the shell in the project root with the given environment and TERM=xterm-256color", async () => {
    const terminal = manager().create();
    const { seen } = collect(terminal);
    await run(terminal, seen, 'echo "[$((1+1))|$TERM|$MARKER_VALUE|$PWD]"', "[2|");
    expect(seen.output).toContain(`[2|xterm-256color|from-env|${realpathSync(directory.path)}]`);
  });

  it("reflects a resize in stty size", async () => {
    const terminals = manager();
    const terminal = terminals.create({ cols: 90, rows: 30 });
    const { seen } = collect(terminal);
    await run(terminal, seen, "echo S$(stty size)E", "S30 90E");
    expect(terminals.resize(terminal.id, 132, 43)).toMatchObject({ cols: 132, rows: 43 });
    await run(terminal, seen, "echo T$(stty size)E", "T43 132E");
    expect(() => terminals.resize(terminal.id, 0, 10)).toThrow(/columns and rows/);
    expect(() => terminals.resize(terminal.id, 10, 1001)).toThrow(/columns and rows/);
    expect(terminal.info()).toMatchObject({ cols: 132, rows: 43 });
  });

  it("names terminals Terminal N, renames them and keeps two apart", async () => {
    const terminals = manager();
    const first = terminals.create();
    const second = terminals.create({ name: "  build  " });
    const third = terminals.create();
    expect(terminals.list().map((info) => info.name)).toEqual(["Terminal 1", "build", "Terminal 2"]);
    expect(terminals.rename(first.id, "server").name).toBe("server");
    expect(terminals.create().name).toBe("Terminal 1");
    expect(() => terminals.rename(first.id, "   ")).toThrow(AppError);
    expect(() => terminals.rename("nope", "x")).toThrow(/no such terminal/);
    expect(first.name).toBe("server");

    const one = collect(first);
    const two = collect(second);
    await run(first, one.seen, "echo first$((40+1))", "first41");
    await run(second, two.seen, "echo second$((40+2))", "second42");
    expect(one.seen.output).not.toContain("second42");
    expect(two.seen.output).not.toContain("first41");
    expect(new Set([first.pid, second.pid, third.pid]).size).toBe(3);
  });

  it("replays the scrollback to a late client and sends output only to attached ones", async () => {
    const terminal = manager().create();
    const early = collect(terminal);
    await run(terminal, early.seen, "echo before$((2*3))", "before6");
    early.detach();
    expect(terminal.clientCount).toBe(0);
    const detachedLength = early.seen.output.length;

    const late = collect(terminal);
    expect(late.seen.output).toContain("before6");
    await run(terminal, late.seen, "echo after$((3*3))", "after9");
    expect(early.seen.output.length).toBe(detachedLength);
  });

  it("reports the shell's exit to clients, and to clients attaching after it", async () => {
    const terminals = manager();
    const terminal = terminals.create();
    const { seen } = collect(terminal);
    terminal.write("exit 3\r");
    await terminal.exited;
    expect(seen.exits).toEqual([{ exitCode: 3, signal: undefined }]);
    expect(terminals.list()[0]).toMatchObject({ status: "exited", exitCode: 3 });
    expect(terminal.write("echo no\r")).toBe(false);

    const late = collect(terminal);
    expect(late.seen.exits).toEqual([{ exitCode: 3, signal: undefined }]);
    expect(terminal.clientCount).toBe(0);
  });

  it("kills a terminal's whole session, including jobs that ignore SIGHUP", async () => {
    const terminals = manager();
    const terminal = terminals.create();
    const other = terminals.create();
    const { seen } = collect(terminal);
    await run(terminal, seen, "sleep 1000 & echo bg=$!=", "bg=");
    await run(terminal, seen, "nohup sleep 1001 >/dev/null 2>&1 & echo nh=$!=", "nh=");
    const background = Number(/bg=(\d+)=/.exec(seen.output)?.[1]);
    const ignoring = Number(/nh=(\d+)=/.exec(seen.output)?.[1]);
    expect(processRunning(background) && processRunning(ignoring)).toBe(true);

    await terminals.kill(terminal.id);
    expect(processRunning(terminal.pid)).toBe(false);
    expect(processRunning(background)).toBe(false);
    expect(processRunning(ignoring)).toBe(false);
    expect(seen.exits).toHaveLength(1);
    expect(terminals.list().map((info) => info.id)).toEqual([other.id]);
    expect(processRunning(other.pid)).toBe(true);
    await expect(terminals.kill(terminal.id)).rejects.toThrow(/no such terminal/);
  });

  it("close() kills every terminal, leaves no process and refuses new terminals", async () => {
    const terminals = manager();
    const first = terminals.create();
    const second = terminals.create();
    const { seen } = collect(first);
    await run(first, seen, "sleep 1002 & echo job=$!=", "job=");
    const job = Number(/job=(\d+)=/.exec(seen.output)?.[1]);

    await terminals.close();
    for (const pid of [first.pid, second.pid, job]) expect(processRunning(pid)).toBe(false);
    expect(terminals.list()).toEqual([]);
    expect(() => terminals.create()).toThrow(/closed/);
    await terminals.close();
  });

  it("refuses terminals past the limit and sizes out of bounds", () => {
    const terminals = manager({ maxTerminals: 1 });
    terminals.create();
    expect(() => terminals.create()).toThrow(/at most 1 terminals/);
    expect(() => manager().create({ cols: 0 })).toThrow(/columns and rows/);
    expect(() => manager().create({ rows: 1.5 })).toThrow(/columns and rows/);
  });

  it("refuses to start a shell in a missing folder", () => {
    const terminals = manager({ cwd: `${directory.path}/missing` });
    expect(() => terminals.create()).toThrow(/project folder is missing/);
    expect(terminals.list()).toEqual([]);
  });
});

describe("chooseShell and terminalEnvironment", () => {
  it("uses an executable absolute $SHELL, else /bin/bash", () => {
    expect(chooseShell("/bin/sh")).toBe("/bin/sh");
    expect(chooseShell("sh")).toBe("/bin/bash");
    expect(chooseShell("/no/such/shell")).toBe("/bin/bash");
    expect(chooseShell(undefined)).toBe("/bin/bash");
  });

  it("drops undefined values and sets TERM", () => {
    expect(terminalEnvironment({ A: "1", B: undefined, TERM: "dumb" })).toEqual({
      A: "1",
      TERM: "xterm-256color",
      COLORTERM: "truecolor",
    });
  });
});

describe("Scrollback", () => {
  it.each([
    { writes: ["abc", "def"], limit: 4, expected: "cdef" },
    { writes: ["abcdefgh"], limit: 3, expected: "fgh" },
    { writes: ["ab", "", "cd"], limit: 10, expected: "abcd" },
    { writes: ["a", "b", "c", "d", "e"], limit: 2, expected: "de" },
  ])("keeps the last $limit characters of $writes", ({ writes, limit, expected }) => {
    const scrollback = new Scrollback(limit);
    for (const write of writes) scrollback.append(write);
    expect(scrollback.text()).toBe(expected);
    expect(scrollback.length).toBe(expected.length);
  });

  it("stays bounded over many small writes", () => {
    const scrollback = new Scrollback(1000);
    for (let index = 0; index < 5000; index++) scrollback.append(`${index % 10}`);
    expect(scrollback.length).toBe(1000);
    expect(scrollback.text().endsWith("56789")).toBe(true);
  });
});
