/**
 * A real browser for the dashboard's tests: Debian's Chromium through playwright-core (never a downloaded one),
 * pages whose console errors and uncaught exceptions fail the test, screenshots saved as test artifacts
 * (`test-artifacts/screenshots/`), and the axe accessibility check of a screen.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { findChromium } from "@autowright/server/browser";
import AxeBuilder from "@axe-core/playwright";
import { type Browser, chromium, type Page } from "playwright-core";

/** Where screenshots of the browser tests go. */
export const screenshotDirectory = join(import.meta.dirname, "..", "..", "test-artifacts", "screenshots");

/** The Chromium to test with, or undefined when the machine has none (the tests are then skipped). */
export const chromiumPath = findChromium();

/** Launches headless Chromium. */
export async function launchBrowser(): Promise<Browser> {
  if (chromiumPath === undefined) throw new Error("no Chromium: apt-get install chromium");
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page and the problems it reported. */
export interface WatchedPage {
  readonly page: Page;
  /** Uncaught exceptions and console errors (a failed resource load included). */
  readonly problems: string[];
  close(): Promise<void>;
}

/** Opens a page of `size` in light or dark mode, collecting its problems. */
export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number; dark?: boolean } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.dark ? "dark" : "light",
    reducedMotion: "reduce",
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  return { page, problems, close: () => context.close() };
}

/** Saves a full-window screenshot as `name.png` among the test artifacts. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDirectory, { recursive: true });
  const path = join(screenshotDirectory, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The serious and critical axe violations of the page as it is now, one line each. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help}: ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(" "))
          .join(", ")}`,
    );
}

/**
 * Elements that overlap or spill out of the window (a layout check for the screenshots' sizes): every visible
 * element marked with `data-layout-check`, and the page's horizontal overflow.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  // The check runs in the page; it is a string because the tests' TypeScript has no DOM types.
  return page.evaluate(`(() => {
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1)
      problems.push("the page scrolls sideways: " + root.scrollWidth + "px wide in a " + root.clientWidth + "px window");
    for (const element of document.querySelectorAll("header, nav, main, [role=dialog]")) {
      const box = element.getBoundingClientRect();
      if (box.width === 0) continue;
      if (box.right > window.innerWidth + 1 || box.left < -1)
        problems.push(element.tagName.toLowerCase() + " is cut off (" + Math.round(box.left) + "-" + Math.round(box.right) + ")");
    }
    for (const control of document.querySelectorAll("header button, nav a")) {
      if (control.scrollWidth > control.clientWidth + 2)
        problems.push(JSON.stringify((control.textContent || "").trim()) + " does not fit its box");
    }
    return problems;
  })()`) as Promise<string[]>;
}
