/**
 * Dashboard benchmark (issue 10, "Performance"): the real `autowright serve` (the built CLI, serving the built UI
 * from packages/cli/dist/ui) with a project of 2,000 features, opened in Debian chromium through playwright-core.
 *
 * The project is an AutoForge import (the API's only way to a backlog with mixed statuses; the bulk API creates
 * pending features only): 2,000 features, 35 % passing, ~1 % needing input, the rest pending (about half of them
 * blocked), ~1,900 dependency edges.
 *
 * Figures (each run a fresh browser context, so a cold first visit; `BENCH_RUNS`, default 5; medians):
 * - `firstRenderMs`: navigation start (`performance.timeOrigin` of `/projects/<name>/kanban?token=…`) → the start
 *   of the first animation frame in which a `[data-testid^=feature-card-]` element is in the DOM with a non-empty
 *   box inside the viewport (recorded in the page by a MutationObserver and `requestAnimationFrame`).
 * - `interactiveMs`: navigation start → a `[role=dialog]` is in the DOM, after a real mouse click (browser input,
 *   processed only when the main thread is free) on the centre of that first card, issued by Playwright as soon as
 *   it saw the card. It includes `firstRenderMs`, the wait for the main thread and the dialog's render.
 * - `longTaskMs`: the sum of the page's long tasks (> 50 ms) until interactive; `domElements` when interactive.
 * - Log panel (`/projects/<name>/logs`): 50,000 lines appended to the store's log ring through the page's debug
 *   hook (`window.__autowright.stores`; the server streams log lines only from runs): `logAppendMs` (one append of
 *   50,000 → the newest line rendered), `logStreamFrameP95Ms` (50 appends of 1,000, one per frame: the 95th
 *   percentile frame), and a fling through the list (`scrollTop` moved by 2 % of the height every frame, 150
 *   frames): `logScrollFrameP50Ms` / `P95` / `Max` (frame-to-frame times) and `logScrollLongTasks`;
 *   `logRowsInDom` shows the virtualisation.
 * - `bundleGzipKb`: gzip (node:zlib, default level) of every `assets/*.js` and `*.css` of the built UI;
 *   `initialGzipKb`: only those index.html loads (the rest are chunks loaded on demand).
 *
 * Waiting for an element that never comes fails fast (`BENCH_WAIT_MS`, default 20 s) and says what it waited for;
 * the figures measured until then are still printed. Prints one JSON line.
 *
 * Run: `node --import tsx bench/ui-board.bench.ts` (after `node scripts/build.mjs`).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { temporaryDirectory } from "@autowright/testkit";
import Database from "better-sqlite3";
import { type Browser, chromium, type Page } from "playwright-core";

const runs = Number(process.env["BENCH_RUNS"] ?? 5);
const waitMs = Number(process.env["BENCH_WAIT_MS"] ?? 20_000);
const featureCount = 2_000;
const logLines = 50_000;
const targetMs = 1_500;
const cli = fileURLToPath(new URL("../packages/cli/dist/autowright.js", import.meta.url));
const uiDirectory = fileURLToPath(new URL("../packages/cli/dist/ui/", import.meta.url));
const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const projectName = "board";
const round = (value: number): number => Math.round(value * 10) / 10;
const median = (values: readonly number[]): number =>
  values.length === 0
    ? Number.NaN
    : ([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN);
const percentile = (values: readonly number[], fraction: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
};

/** A failure that says what the bench waited for. */
class WaitError extends Error {}

const result: Record<string, unknown> = { bench: "ui-board", features: featureCount, runs, targetMs };
const errors: string[] = [];

function print(): void {
  if (errors.length > 0) result["errors"] = errors;
  console.log(JSON.stringify(result));
}

/** gzip sizes of the built UI: everything, and what index.html loads. */
function bundleSizes(): { bundleGzipKb: number; initialGzipKb: number; chunks: Record<string, number> } {
  const assets = join(uiDirectory, "assets");
  const index = readFileSync(join(uiDirectory, "index.html"), "utf8");
  let total = 0;
  let initial = 0;
  const chunks: Record<string, number> = {};
  for (const file of readdirSync(assets)) {
    if (!file.endsWith(".js") && !file.endsWith(".css")) continue;
    const size = gzipSync(readFileSync(join(assets, file))).length / 1024;
    total += size;
    chunks[file] = round(size);
    if (index.includes(`/assets/${file}`)) initial += size;
  }
  return { bundleGzipKb: round(total), initialGzipKb: round(initial), chunks };
}

/** An AutoForge `features.db` with 2,000 features: mixed statuses and dependencies on earlier features. */
function writeAutoforgeBacklog(root: string): { passing: number; needsInput: number; edges: number } {
  const directory = join(root, ".autoforge");
  mkdirSync(directory, { recursive: true });
  const database = new Database(join(directory, "features.db"));
  database.exec(`CREATE TABLE features (id INTEGER PRIMARY KEY, priority INTEGER, category TEXT, name TEXT,
    description TEXT, steps TEXT, passes INTEGER, in_progress INTEGER, dependencies TEXT, needs_human_input INTEGER,
    human_input_request TEXT, human_input_response TEXT)`);
  const insert = database.prepare("INSERT INTO features VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  const categories = [
    "auth",
    "catalogue",
    "cart",
    "checkout",
    "admin",
    "search",
    "ui",
    "api",
    "data",
    "reports",
  ];
  const counts = { passing: 0, needsInput: 0, edges: 0 };
  database.transaction(() => {
    for (let id = 1; id <= featureCount; id++) {
      const dependencies = new Set<number>();
      if (id > 1 && id % 4 !== 0) dependencies.add(Math.max(1, id - 1 - ((id * 7) % 23)));
      if (id > 40 && id % 5 === 0) dependencies.add(id - 37);
      const passes = id <= featureCount * 0.35;
      const needsInput = !passes && id % 97 === 0;
      counts.passing += passes ? 1 : 0;
      counts.needsInput += needsInput ? 1 : 0;
      counts.edges += dependencies.size;
      const category = categories[id % categories.length] ?? "core";
      insert.run(
        id,
        id,
        category,
        `Feature ${id}: ${category} work item`,
        `What feature ${id} does, in a sentence or two.`,
        JSON.stringify(["Open the page", "Do the thing", "See the result"]),
        passes ? 1 : 0,
        0,
        JSON.stringify([...dependencies]),
        needsInput ? 1 : 0,
        needsInput
          ? JSON.stringify({
              prompt: "Which payment provider?",
              fields: [{ id: "provider", label: "Provider", type: "text", required: true }],
            })
          : null,
        null,
      );
    }
  })();
  database.close();
  return counts;
}

/**
 * Runs in the page before anything else: records when a card is first visible, when a dialog appears, and the long
 * tasks. (In-page code is plain JavaScript in strings: the workspace's TypeScript has no DOM types, and tsx's
 * transform may add helpers to a serialised function.)
 */
const pageProbe = `(() => {
  const probe = { firstCard: NaN, click: NaN, dialog: NaN, longTasks: [] };
  window.__benchProbe = probe;
  // The click's input time (event.timeStamp): from it to the dialog is the click's own latency.
  window.addEventListener("pointerdown", (event) => { if (Number.isNaN(probe.click)) probe.click = event.timeStamp; }, true);
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch {}
  let cardFramePending = false;
  const check = () => {
    if (Number.isNaN(probe.firstCard) && !cardFramePending) {
      for (const card of document.querySelectorAll("[data-testid^='feature-card-']")) {
        const box = card.getBoundingClientRect();
        if (box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight) {
          cardFramePending = true;
          requestAnimationFrame((time) => { probe.firstCard = time; });
          break;
        }
      }
    }
    if (Number.isNaN(probe.dialog) && !Number.isNaN(probe.click) && document.querySelector("[role=dialog]") !== null)
      probe.dialog = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
})()`;

async function waitFor(page: Page, selector: string, what: string): Promise<void> {
  try {
    await page.waitForSelector(selector, { state: "visible", timeout: waitMs });
  } catch {
    throw new WaitError(`waited ${waitMs} ms for ${selector} (${what}) on ${new URL(page.url()).pathname}`);
  }
}

async function measureBoard(browser: Browser, origin: string, token: string): Promise<BoardRun> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(pageProbe);
    await page.goto(`${origin}/projects/${projectName}/kanban?token=${token}`);
    const cardSelector = "[data-testid^='feature-card-']";
    await waitFor(page, cardSelector, "a Kanban card: is the board built?");
    const card = page.locator(cardSelector).first();
    const box = await card.boundingBox();
    if (box === null) throw new WaitError(`${cardSelector} has no box`);
    await page.mouse.click(box.x + box.width / 2, box.y + Math.min(box.height / 2, 24));
    let dialogError: string | undefined;
    try {
      await waitFor(page, "[role=dialog]", "the feature dialog a card click opens");
    } catch (error) {
      dialogError = error instanceof Error ? error.message : String(error);
    }
    await page.waitForFunction(
      `!Number.isNaN(window.__benchProbe.firstCard) && (${dialogError !== undefined} || !Number.isNaN(window.__benchProbe.dialog))`,
    );
    const measured = (await page.evaluate(`(() => {
      const probe = window.__benchProbe;
      return {
        firstRenderMs: probe.firstCard,
        interactiveMs: probe.dialog,
        clickToDialogMs: probe.dialog - probe.click,
        longTaskMs: probe.longTasks.filter((task) => task.start < probe.dialog).reduce((sum, task) => sum + task.duration, 0),
        domElements: document.getElementsByTagName("*").length,
      };
    })()`)) as BoardRun;
    return dialogError === undefined ? measured : { ...measured, error: dialogError };
  } finally {
    await context.close();
  }
}

/** What one board run measured. */
interface BoardRun {
  readonly firstRenderMs: number;
  readonly interactiveMs: number;
  readonly clickToDialogMs: number;
  readonly longTaskMs: number;
  readonly domElements: number;
  /** Why the run could not measure everything (the first card was seen, the dialog was not). */
  readonly error?: string;
}

/** What one log-panel run measured. */
interface LogRun {
  readonly appendMs: number;
  readonly appendRendered: boolean;
  readonly rowsInDom: number;
  readonly streamFrames: number[];
  readonly scrollFrames: number[];
  readonly scrollLongTasks: number;
  readonly scrollLongTaskMaxMs: number;
}

/** The log panel's measurement, in the page: streams `count` lines, appends `count` at once, then flings. */
function logScript(project: string, count: number): string {
  return `(async () => {
    const store = window.__autowright.stores.get(${JSON.stringify(project)});
    const count = ${count};
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const levels = ["debug", "info", "info", "info", "warn", "error"];
    const makeLines = (from, size) => Array.from({ length: size }, (_, offset) => {
      const index = from + offset;
      return {
        at: new Date(Date.UTC(2026, 11, 3, 12, 0, 0, index)).toISOString(),
        line: "line " + index + ": tool call read_file src/module-" + (index % 97) + ".ts (" + ((index * 37) % 4096) + " bytes)",
        level: levels[index % levels.length],
        source: "agent",
        agentId: "coding-" + (index % 3),
        featureId: (index % 40) + 1,
      };
    });
    const newestRendered = (text) =>
      [...document.querySelectorAll("[data-testid=log-line]")].some((row) => row.textContent.includes(text));
    // Streaming: 50 appends of count / 50 lines, one per frame.
    const streamFrames = [];
    let last = await frame();
    const batch = count / 50;
    for (let index = 0; index < 50; index++) {
      store.logs.append(makeLines(index * batch, batch));
      const now = await frame();
      streamFrames.push(now - last);
      last = now;
    }
    // One append of count lines after a clear.
    store.logs.clear();
    await frame();
    const appendStart = performance.now();
    store.logs.append(makeLines(count, count));
    const newest = "line " + (count * 2 - 1) + ":";
    while (!newestRendered(newest) && performance.now() - appendStart < 20000) await frame();
    const appendMs = performance.now() - appendStart;
    const appendRendered = newestRendered(newest);
    const scroller = [...document.querySelectorAll("[data-testid=log-panel] section")].find(
      (element) => element.scrollHeight > element.clientHeight,
    );
    if (scroller === undefined) throw new Error("no scrollable log list in [data-testid=log-panel]");
    const rowsInDom = document.querySelectorAll("[data-testid=log-line]").length;
    // A fling from the bottom to the top and back: 2 % of the height per frame, 150 frames.
    const probe = window.__benchProbe;
    const longTasksBefore = probe.longTasks.length;
    const step = scroller.scrollHeight * 0.02;
    const scrollFrames = [];
    let direction = -1;
    last = await frame();
    for (let index = 0; index < 150; index++) {
      if (scroller.scrollTop <= 0) direction = 1;
      scroller.scrollTop += direction * step;
      const now = await frame();
      scrollFrames.push(now - last);
      last = now;
    }
    const scrollLongTasks = probe.longTasks.slice(longTasksBefore);
    return {
      appendMs, appendRendered, rowsInDom, streamFrames, scrollFrames,
      scrollLongTasks: scrollLongTasks.length,
      scrollLongTaskMaxMs: Math.max(0, ...scrollLongTasks.map((task) => task.duration)),
    };
  })()`;
}

async function measureLogs(browser: Browser, origin: string, token: string): Promise<LogRun> {
  const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(pageProbe);
    await page.goto(`${origin}/projects/${projectName}/logs?token=${token}`);
    await waitFor(page, "[data-testid=log-panel]", "the log panel");
    const hook = await page
      .waitForFunction(
        `window.__autowright?.stores?.has(${JSON.stringify(projectName)}) === true`,
        undefined,
        {
          timeout: waitMs,
        },
      )
      .then(() => true)
      .catch(() => false);
    if (!hook)
      throw new WaitError(`waited ${waitMs} ms for window.__autowright.stores to hold "${projectName}"`);
    return (await page.evaluate(logScript(projectName, logLines))) as LogRun;
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(uiDirectory, "index.html")) || !existsSync(cli)) {
    errors.push(`no built CLI or UI (${cli}, ${uiDirectory}index.html): run node scripts/build.mjs`);
    return;
  }
  Object.assign(result, bundleSizes());
  if (!existsSync(chromiumPath)) {
    errors.push(`no chromium at ${chromiumPath} (set CHROMIUM_PATH)`);
    return;
  }
  using directory = temporaryDirectory("autowright-bench-ui-");
  const home = join(directory.path, "home");
  const root = join(directory.path, projectName);
  mkdirSync(home);
  mkdirSync(root);
  const backlog = writeAutoforgeBacklog(root);
  result["backlog"] = { ...backlog, source: "AutoForge import" };
  const token = randomBytes(16).toString("hex");
  const server = spawn(process.execPath, [cli, "serve", "--port", "0", "--no-open", "--home", home], {
    // The server's stderr is shown only when the bench fails (it says "stopping" on every exit).
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      AUTOWRIGHT_PROJECT_ROOTS: directory.path,
      AUTOWRIGHT_TOKEN: token,
      AUTOWRIGHT_UI_DIR: uiDirectory,
    },
  });
  let serverErrors = "";
  server.stderr.on("data", (chunk: Buffer) => {
    serverErrors = (serverErrors + chunk.toString()).slice(-4_000);
  });
  let browser: Browser | undefined;
  try {
    const lines = createInterface({ input: server.stdout });
    const printed = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new WaitError("waited 20 s for the server to print its URL")),
        20_000,
      );
      lines.on("line", (line) => {
        const match = /Mission Control: (\S+)/.exec(line);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      server.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    });
    const origin = new URL(printed).origin;
    const created = await fetch(`${origin}/api/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", origin },
      body: JSON.stringify({ name: projectName, path: root, importAutoforge: true }),
    });
    if (created.status !== 201) throw new Error(`could not import the backlog: ${await created.text()}`);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    });

    const boards: BoardRun[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        const board = await measureBoard(browser, origin, token);
        boards.push(board);
        if (board.error !== undefined) {
          // Fail fast: every other run would wait as long for the same thing.
          errors.push(`board: ${board.error}`);
          break;
        }
      }
    } catch (error) {
      errors.push(`board: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (boards.length > 0) {
      result["firstRenderMs"] = round(median(boards.map((board) => board.firstRenderMs)));
      result["interactiveMs"] = round(median(boards.map((board) => board.interactiveMs)));
      result["clickToDialogMs"] = round(median(boards.map((board) => board.clickToDialogMs)));
      result["longTaskMs"] = round(median(boards.map((board) => board.longTaskMs)));
      result["domElements"] = median(boards.map((board) => board.domElements));
      result["firstRenderMsRuns"] = boards.map((board) => round(board.firstRenderMs));
      result["interactiveMsRuns"] = boards.map((board) => round(board.interactiveMs));
    }

    const logs: LogRun[] = [];
    try {
      for (let run = 0; run < Math.min(runs, 3); run++) logs.push(await measureLogs(browser, origin, token));
    } catch (error) {
      errors.push(`logs: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (logs.length > 0) {
      result["logLines"] = logLines;
      result["logAppendMs"] = round(median(logs.map((log) => log.appendMs)));
      result["logStreamFrameP95Ms"] = round(median(logs.map((log) => percentile(log.streamFrames, 0.95))));
      result["logScrollFrameP50Ms"] = round(median(logs.map((log) => percentile(log.scrollFrames, 0.5))));
      result["logScrollFrameP95Ms"] = round(median(logs.map((log) => percentile(log.scrollFrames, 0.95))));
      result["logScrollFrameMaxMs"] = round(median(logs.map((log) => Math.max(...log.scrollFrames))));
      result["logScrollLongTasks"] = median(logs.map((log) => log.scrollLongTasks));
      result["logRowsInDom"] = median(logs.map((log) => log.rowsInDom));
      result["logRuns"] = logs.length;
      if (logs.some((log) => !log.appendRendered))
        errors.push("logs: the newest of 50,000 lines was not rendered within 20 s");
    }
  } finally {
    await browser?.close();
    server.kill("SIGTERM");
    await new Promise((resolve) => {
      if (server.exitCode !== null) resolve(undefined);
      else server.once("exit", resolve);
    });
    if (errors.length > 0 && serverErrors.trim() !== "")
      process.stderr.write(`server stderr:\n${serverErrors}\n`);
  }
}

try {
  await main();
} catch (error) {
  errors.push(error instanceof Error ? error.message : String(error));
}
print();
process.exit(errors.length === 0 ? 0 : 1);
