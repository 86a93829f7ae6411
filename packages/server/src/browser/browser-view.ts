/**
 * Live pictures of the app being built: while at least one client has asked for them (`browser.subscribe`) and
 * the project's dev server runs, its page is opened in headless Chromium and a JPEG is taken about every 2 s and
 * sent to those clients only (`browser.screenshot`). Nothing runs for nobody: the browser is started on the first
 * subscriber (or when the dev server comes up) and closed with the last one (or when the dev server stops).
 * Chromium is found at `AUTOWRIGHT_CHROMIUM`, else the usual system paths; without one, subscribers are told once.
 */
import { existsSync } from "node:fs";
import type { ErrorCode, ServerEvent } from "@autowright/protocol";
import type { Browser, Page } from "playwright-core";
import type { EventSink } from "../server-context.ts";

/** Where a picture goes: one subscribed client. */
export interface ScreenshotSubscriber {
  sendEvent(event: ServerEvent): void;
}

/** Options of a {@link BrowserView}. */
export interface BrowserViewOptions {
  readonly events: EventSink;
  /** The dev server's URL now, when it runs. */
  readonly devServerUrl: () => string | undefined;
  readonly environment?: NodeJS.ProcessEnv;
  /** Milliseconds between pictures. Default 2,000. */
  readonly intervalMs?: number;
  readonly viewport?: { width: number; height: number };
}

const chromiumPaths = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

/** The Chromium to use, or undefined when there is none. */
export function findChromium(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = environment["AUTOWRIGHT_CHROMIUM"];
  if (configured !== undefined && configured !== "") return existsSync(configured) ? configured : undefined;
  return chromiumPaths.find((path) => existsSync(path));
}

/** The live view of one project's app. */
export class BrowserView {
  readonly #options: BrowserViewOptions;
  readonly #subscribers = new Set<ScreenshotSubscriber>();
  readonly #unsubscribe: () => void;
  #browser: Promise<Browser> | undefined;
  #page: Page | undefined;
  #pageUrl: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #capturing = false;
  #closed = false;
  #failures = 0;

  constructor(options: BrowserViewOptions) {
    this.#options = options;
    this.#unsubscribe = options.events.subscribe((event) => {
      if (event.type === "devserver.updated") this.#reconsider();
    });
  }

  /** How many clients watch. */
  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** A client asks for pictures. */
  subscribe(subscriber: ScreenshotSubscriber): void {
    if (this.#closed) return;
    this.#subscribers.add(subscriber);
    if (findChromium(this.#options.environment) === undefined) {
      subscriber.sendEvent(
        this.#error(
          "not_found",
          "no Chromium found for live pictures of the app: install chromium or set AUTOWRIGHT_CHROMIUM",
        ),
      );
      return;
    }
    if (this.#options.devServerUrl() === undefined) {
      subscriber.sendEvent(
        this.#error("not_found", "the dev server is not running: pictures start when it does"),
      );
    }
    this.#reconsider();
  }

  /** A client no longer watches (or is gone). */
  unsubscribe(subscriber: ScreenshotSubscriber): void {
    this.#subscribers.delete(subscriber);
    this.#reconsider();
  }

  /** Stops taking pictures and closes the browser. Nothing runs afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subscribers.clear();
    this.#unsubscribe();
    await this.#stop();
  }

  /** Starts or stops the loop to match who watches and whether the app runs. */
  #reconsider(): void {
    const wanted = !this.#closed && this.#subscribers.size > 0 && this.#options.devServerUrl() !== undefined;
    if (wanted && this.#timer === undefined && !this.#capturing) this.#schedule(0);
    if (!wanted) void this.#stop();
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#capture();
    }, delayMs);
  }

  async #capture(): Promise<void> {
    const url = this.#options.devServerUrl();
    if (this.#closed || this.#subscribers.size === 0 || url === undefined) return;
    this.#capturing = true;
    try {
      const page = await this.#pageFor(url);
      const viewport = this.#options.viewport ?? { width: 1280, height: 800 };
      const image = await page.screenshot({ type: "jpeg", quality: 60, timeout: 10_000 });
      this.#failures = 0;
      const event: ServerEvent = {
        v: 1,
        at: new Date().toISOString(),
        type: "browser.screenshot",
        data: { url, mimeType: "image/jpeg", imageData: image.toString("base64"), ...viewport },
      };
      for (const subscriber of this.#subscribers) subscriber.sendEvent(event);
    } catch (error) {
      this.#failures += 1;
      // A page that cannot be reached yet (the app restarting) is retried; a browser that keeps failing is said.
      if (this.#failures === 3) {
        const message = `live pictures of the app failed: ${(error as Error).message.split("\n")[0] ?? ""}`;
        for (const subscriber of this.#subscribers)
          subscriber.sendEvent(this.#error("internal_error", message));
      }
      this.#page = undefined;
    } finally {
      this.#capturing = false;
    }
    if (!this.#closed && this.#subscribers.size > 0 && this.#options.devServerUrl() !== undefined)
      this.#schedule(
        Math.min(30_000, (this.#options.intervalMs ?? 2_000) * 2 ** Math.min(this.#failures, 4)),
      );
    else await this.#stop();
  }

  async #pageFor(url: string): Promise<Page> {
    if (this.#browser === undefined) {
      const executablePath = findChromium(this.#options.environment);
      if (executablePath === undefined) throw new Error("no Chromium found");
      const { chromium } = await import("playwright-core");
      this.#browser = chromium.launch({
        executablePath,
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
    const browser = await this.#browser;
    if (this.#page === undefined || this.#page.isClosed()) {
      this.#page = await browser.newPage({
        viewport: this.#options.viewport ?? { width: 1280, height: 800 },
      });
      this.#pageUrl = undefined;
    }
    if (this.#pageUrl !== url) {
      await this.#page.goto(url, { timeout: 15_000, waitUntil: "load" });
      this.#pageUrl = url;
    }
    return this.#page;
  }

  async #stop(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const browser = this.#browser;
    this.#browser = undefined;
    this.#page = undefined;
    this.#pageUrl = undefined;
    if (browser !== undefined) await (await browser.catch(() => undefined))?.close().catch(() => undefined);
  }

  #error(code: ErrorCode, message: string): ServerEvent {
    return { v: 1, at: new Date().toISOString(), type: "error", data: { code, message } };
  }
}
