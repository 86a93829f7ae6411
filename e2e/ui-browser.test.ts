/**
 * Mission Control in a real browser (Debian's Chromium) against a real server and a replay run: the board moves
 * cards to Done live, Mission Control shows the agents and Maestro, the graph renders, a reconnect after a server
 * restart replays what was missed, and an agent's question is answered through the form. Every main screen is
 * checked with axe (no serious or critical violation) and saved as a screenshot in light and dark, at 1280×800 and
 * 1920×1080, with a check that nothing spills out of the window.
 */
import { createServer } from "node:net";
import { join } from "node:path";
import { ProjectStore } from "@autowright/store";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chromiumPath,
  launchBrowser,
  layoutProblems,
  openPage,
  screenshot,
  seriousAccessibilityViolations,
  type WatchedPage,
} from "./support/browser.ts";
import { type ServerHarness, startServerHarness } from "./support/server-harness.ts";

const uiDirectory = join(import.meta.dirname, "..", "packages", "cli", "dist", "ui");

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

const backlog = [
  {
    name: "Product list",
    category: "catalog",
    description: "Show every product",
    steps: ["the list shows products"],
  },
  { name: "Cart", category: "checkout", description: "Add products to a cart", dependsOnIndices: [0] },
  { name: "Checkout", category: "checkout", description: "Pay for the cart", dependsOnIndices: [1] },
];

describe.skipIf(chromiumPath === undefined)("Mission Control in a real browser", () => {
  let harness: ServerHarness;
  let browser: Browser;
  const pages: WatchedPage[] = [];

  beforeAll(async () => {
    harness = await startServerHarness({ uiDirectory, port: await freePort(), exactPort: true });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const page of pages) await page.close().catch(() => undefined);
    await browser?.close();
    await harness?.close();
  });

  async function open(path: string, options: { width?: number; height?: number; dark?: boolean } = {}) {
    const watched = await openPage(browser, options);
    pages.push(watched);
    const separator = path.includes("?") ? "&" : "?";
    await watched.page.goto(`${harness.server.url}${path}${separator}token=${harness.server.token}`);
    return watched;
  }

  /** The screen passes axe and fits the window; then it is saved under `name`. */
  async function checkScreen(page: Page, name: string): Promise<void> {
    expect(await seriousAccessibilityViolations(page), `axe on ${name}`).toEqual([]);
    expect(await layoutProblems(page), `layout of ${name}`).toEqual([]);
    await screenshot(page, name);
  }

  async function cardsIn(page: Page, status: string): Promise<number> {
    return page.locator(`[data-testid="kanban-column-${status}"] [data-testid^="feature-card-"]`).count();
  }

  it("shows Maestro and the agents live, and moves every card to Done as features pass", async () => {
    await harness.createProject("shop", backlog);
    const { page, problems } = await open("/projects/shop");
    await page.getByTestId("maestro").waitFor();
    await page.getByTestId("feature-card-1").waitFor();
    expect(await page.getByTestId("connection").textContent()).toContain("Live");
    await checkScreen(page, "dashboard-idle-1280-light");

    const started = await harness.api("POST", "/api/projects/shop/run/start", {
      provider: "replay",
      concurrency: 2,
      replayLatencyMs: 700,
    });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await page.locator('[data-testid^="agent-card-"]').first().waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId("maestro").textContent()).toMatch(/Coding\s*[1-9]/);
    await checkScreen(page, "dashboard-running-1280-light");

    await expect.poll(() => cardsIn(page, "done"), { timeout: 120_000 }).toBe(3);
    await expect
      .poll(() => page.getByTestId("progress-count").textContent(), { timeout: 30_000 })
      .toContain("3 / 3");
    await page.getByTestId("banner-completed").waitFor({ timeout: 30_000 });
    await checkScreen(page, "dashboard-completed-1280-light");
    expect(problems).toEqual([]);
  }, 240_000);

  it("opens a feature by deep link with its evidence and the merged diff", async () => {
    const { page, problems } = await open("/projects/shop/features/1");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent()).toContain("Product list");
    await dialog.getByRole("tab", { name: /evidence/i }).click();
    await expect.poll(() => dialog.textContent(), { timeout: 30_000 }).toMatch(/exit 0/i);
    await checkScreen(page, "feature-detail-evidence-1280-light");
    await dialog.getByRole("tab", { name: /diff/i }).click();
    await expect.poll(() => dialog.textContent(), { timeout: 30_000 }).toContain("src/feature-1.js");
    await checkScreen(page, "feature-detail-diff-1280-light");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.url()).toMatch(/\/projects\/shop$/);
    expect(problems).toEqual([]);
  });

  it("renders the dependency graph with a node per feature", async () => {
    const { page, problems } = await open("/projects/shop/graph");
    await page.getByTestId("graph-view").waitFor();
    for (const id of [1, 2, 3]) await page.getByTestId(`graph-node-${id}`).waitFor();
    await checkScreen(page, "graph-1280-light");
    await page.getByTestId("graph-node-2").click();
    await page.getByRole("dialog").waitFor();
    expect(page.url()).toMatch(/\/projects\/shop\/features\/2$/);
    expect(problems).toEqual([]);
  });

  it("reconnects after a server restart and replays what it missed", async () => {
    const { page } = await open("/projects/shop/kanban");
    await page.getByTestId("feature-card-3").waitFor();
    const root = join(harness.work.path, "shop");
    await harness.restart(async () => {
      await page.getByTestId("reconnecting-banner").waitFor({ timeout: 30_000 });
      // While the server is down, the backlog changes on disk: the new server's log has an event the page missed.
      const store = ProjectStore.open(root);
      try {
        store.createFeatures(
          [
            {
              name: "Wish list",
              category: "catalog",
              description: "Save for later",
              steps: [],
              verify: [],
              dependencies: [],
              dependsOnIndices: [],
            },
          ],
          { maxDependenciesPerFeature: 20 },
        );
      } finally {
        store.close();
      }
    });
    await page.getByTestId("feature-card-4").waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId("connection").textContent()).toContain("Live");
    expect(await page.getByTestId("reconnecting-banner").count()).toBe(0);
  });

  it("round-trips an agent's question through the human-input form", async () => {
    await harness.createProject("ask", [
      { name: "Payment provider", category: "checkout", description: "Pick one" },
    ]);
    const client = new Client({ name: "e2e", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${harness.server.url}/mcp/ask`), {
        requestInit: { headers: { authorization: `Bearer ${harness.server.token}` } },
      }),
    );
    try {
      const claimed = await client.callTool({ name: "feature_claim", arguments: { feature_id: 1 } });
      expect(claimed.isError, JSON.stringify(claimed.content)).not.toBe(true);
      const asked = await client.callTool({
        name: "feature_request_human_input",
        arguments: {
          feature_id: 1,
          prompt: "Which payment provider should the shop use?",
          fields: [
            {
              id: "provider",
              label: "Provider",
              type: "select",
              options: [
                { value: "stripe", label: "Stripe" },
                { value: "paypal", label: "PayPal" },
              ],
            },
            { id: "notes", label: "Notes", type: "textarea", required: false },
          ],
        },
      });
      expect(asked.isError, JSON.stringify(asked.content)).not.toBe(true);
    } finally {
      await client.close();
    }
    const { page, problems } = await open("/projects/ask/kanban");
    const card = page.locator('[data-testid="kanban-column-needs_input"] [data-testid="feature-card-1"]');
    await card.waitFor();
    await card.click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.textContent()).toContain("Which payment provider should the shop use?");
    await checkScreen(page, "human-input-1280-light");
    await dialog.getByLabel("Provider").selectOption("paypal");
    await dialog.getByLabel("Notes").fill("PayPal, the customers asked for it");
    await dialog.getByRole("button", { name: /send|submit|answer/i }).click();
    await expect
      .poll(
        async () =>
          (await harness.api("GET", "/api/projects/ask/features/1")).body.feature.humanInput?.response
            ?.fields,
        {
          timeout: 30_000,
        },
      )
      .toEqual({ provider: "paypal", notes: "PayPal, the customers asked for it" });
    await expect
      .poll(() =>
        page.locator('[data-testid="kanban-column-needs_input"] [data-testid="feature-card-1"]').count(),
      )
      .toBe(0);
    expect(problems).toEqual([]);
  });

  const sizes = [
    { width: 1280, height: 800 },
    { width: 1920, height: 1080 },
  ];
  const screens = [
    { name: "home", path: "/", ready: "main" },
    { name: "dashboard", path: "/projects/shop", ready: '[data-testid="maestro"]' },
    { name: "kanban", path: "/projects/shop/kanban", ready: '[data-testid="feature-card-1"]' },
    { name: "graph", path: "/projects/shop/graph", ready: '[data-testid="graph-node-1"]' },
    { name: "logs", path: "/projects/shop/logs", ready: '[data-testid="log-panel"]' },
    { name: "browser", path: "/projects/shop/browser", ready: "main" },
    { name: "terminal", path: "/projects/shop/terminal", ready: "main" },
    { name: "assistant", path: "/projects/shop/assistant", ready: "main" },
    { name: "settings", path: "/settings", ready: "main" },
    { name: "new-project", path: "/new", ready: "main" },
  ];

  it("passes axe and fits the window on every main screen, light and dark, at 1280×800 and 1920×1080", async () => {
    for (const size of sizes) {
      for (const dark of [false, true]) {
        for (const screen of screens) {
          const watched = await open(screen.path, { ...size, dark });
          await watched.page
            .locator(screen.ready)
            .first()
            .waitFor()
            .catch((error: unknown) => {
              throw new Error(
                `${screen.name} (${screen.path}) never showed ${screen.ready}: ${String(error)}`,
              );
            });
          await checkScreen(watched.page, `${screen.name}-${size.width}-${dark ? "dark" : "light"}`);
          expect(watched.problems, screen.name).toEqual([]);
          await watched.close();
          pages.splice(pages.indexOf(watched), 1);
        }
      }
    }
  }, 300_000);
});
