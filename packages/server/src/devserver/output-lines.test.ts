import { describe, expect, it } from "vitest";
import { detectLocalUrl, LineSplitter, portOfUrl, stripAnsi } from "./output-lines.ts";

function split(chunks: (string | Buffer)[], maxLength = 100): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter(maxLength, (line) => lines.push(line));
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe("LineSplitter", () => {
  it("joins chunks into lines and keeps a last line without a newline", () => {
    expect(split(["hel", "lo\nwor", "ld\r\n", "last"])).toEqual(["hello", "world", "last"]);
  });

  it("keeps a character split across chunks whole", () => {
    const bytes = Buffer.from("é\n");
    expect(split([bytes.subarray(0, 1), bytes.subarray(1)])).toEqual(["é"]);
  });

  it("cuts long lines, also ones that arrive without a newline, and drops their rest", () => {
    const lines = split(["x".repeat(30), "y".repeat(30), "\nnext\n"], 20);
    expect(lines).toEqual([`${"x".repeat(19)}…`, "next"]);
  });

  it("shows what a progress bar left visible and removes colours", () => {
    expect(split(["10%\r50%\r100%\n", "\u001b[32mready\u001b[39m\n"])).toEqual(["100%", "ready"]);
  });
});

describe("stripAnsi", () => {
  it("removes CSI and OSC sequences", () => {
    expect(stripAnsi("\u001b[1m\u001b[36mLocal\u001b[39m\u001b[22m: \u001b]0;title\u0007ok")).toBe(
      "Local: ok",
    );
  });
});

describe("detectLocalUrl", () => {
  it.each([
    ["Server listening at http://localhost:4100", "http://localhost:4100/"],
    ["  ➜  Local:   http://localhost:5173/", "http://localhost:5173/"],
    ["Starting development server at http://127.0.0.1:8000/", "http://127.0.0.1:8000/"],
    ["Uvicorn running on http://0.0.0.0:4101 (Press CTRL+C to quit)", "http://localhost:4101/"],
    ["listening on http://[::]:4102.", "http://localhost:4102/"],
    ["at http://[::1]:4103/app", "http://[::1]:4103/app"],
    ["ready on https://localhost:4443/.", "https://localhost:4443/"],
    ["serving http://localhost:3000/docs, see you", "http://localhost:3000/docs"],
  ])("%s → %s", (line, url) => {
    expect(detectLocalUrl(line)).toBe(url);
  });

  it.each([
    "see https://nextjs.org/docs for help",
    "Network: http://192.168.1.20:5173/",
    "listening on port 4100",
    "http://localhost:99999/",
    "http://localhostile.example:80/",
  ])("nothing in %s", (line) => {
    expect(detectLocalUrl(line)).toBeUndefined();
  });

  it("gives the port of a URL", () => {
    expect(portOfUrl("http://localhost:4100/")).toBe(4100);
    expect(portOfUrl("http://localhost/")).toBe(80);
    expect(portOfUrl("https://localhost/")).toBe(443);
  });
});
