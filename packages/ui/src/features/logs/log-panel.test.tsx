import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogLine } from "../../state/log-store.ts";
import { ProjectStoreProvider } from "../../state/project-context.tsx";
import type { ProjectStore } from "../../state/project-store.ts";
import { durableEvent, fakeServer, makeFeature, storeWith } from "../../test-support.ts";
import { NoticeProvider, Notices } from "../../ui/notices.tsx";
import { LogPanel } from "./log-panel.tsx";

// jsdom has no layout: give every element a viewport so the virtualiser has a window to fill (400 px = 20 rows).
const sizes = { clientHeight: 400, clientWidth: 1000 };
const saved = new Map<string, PropertyDescriptor | undefined>();
let server: ReturnType<typeof fakeServer>;

beforeEach(() => {
  for (const [name, value] of Object.entries(sizes)) {
    saved.set(name, Object.getOwnPropertyDescriptor(HTMLElement.prototype, name));
    Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => value });
  }
  server = fakeServer([
    {
      method: "GET",
      path: "/api/projects/demo/devserver",
      body: { status: "stopped", recentLog: [] },
    },
  ]);
});

afterEach(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor === undefined) delete (HTMLElement.prototype as unknown as Record<string, unknown>)[name];
    else Object.defineProperty(HTMLElement.prototype, name, descriptor);
  }
  server.restore();
});

const agentA = "11111111-1111-4111-8111-111111111111";
const agentB = "22222222-2222-4222-8222-222222222222";

function started(agentId: string, name: "Spark" | "Fizz", featureId: number, seq: number) {
  return durableEvent(
    "agent.started",
    {
      agentId,
      index: seq,
      name,
      role: "coding",
      featureIds: [featureId],
      featureNames: [`Feature ${featureId}`],
      model: "replay",
    },
    seq,
  );
}

function line(fields: Partial<Omit<LogLine, "id">> & { line: string }): Omit<LogLine, "id"> {
  return { at: "2026-12-03T12:00:00.000Z", level: "info", source: "agent", ...fields };
}

function renderPanel(store: ProjectStore) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <NoticeProvider>
        <ProjectStoreProvider project="demo" store={store}>
          <LogPanel onClose={() => {}} />
        </ProjectStoreProvider>
        <Notices />
      </NoticeProvider>
    </QueryClientProvider>,
  );
}

function shownLines(): string[] {
  return screen.getAllByTestId("log-line").map((row) => row.textContent ?? "");
}

describe("LogPanel", () => {
  it("renders lines appended to the ring, with the agent's name, level and feature", async () => {
    const store = storeWith({
      features: [makeFeature(7, { name: "Checkout" })],
      events: [started(agentA, "Spark", 7, 1)],
    });
    renderPanel(store);
    expect(screen.getByText(/No agent output since this page opened/)).toBeTruthy();
    act(() => {
      store.logs.append([
        line({ line: "reading the spec", agentId: agentA, featureId: 7 }),
        line({ line: "tests failed", level: "error", agentId: agentA, featureId: 7 }),
      ]);
    });
    const rows = screen.getAllByTestId("log-line");
    expect(rows).toHaveLength(2);
    expect(rows[0]?.textContent).toContain("reading the spec");
    expect(rows[0]?.textContent).toContain("Spark");
    expect(rows[1]?.textContent).toContain("error");
    expect(within(rows[1] as HTMLElement).getByRole("button", { name: "Open feature #7" })).toBeTruthy();
    expect(screen.getByText("2 lines")).toBeTruthy();
    act(() => store.logs.append([line({ line: "third", source: "verifier" })]));
    expect(shownLines()).toHaveLength(3);
  });

  it("narrows the lines by agent, by feature, by level and by text", async () => {
    const user = userEvent.setup();
    const store = storeWith({
      features: [makeFeature(1), makeFeature(2)],
      events: [started(agentA, "Spark", 1, 1), started(agentB, "Fizz", 2, 2)],
    });
    store.logs.append([
      line({ line: "spark one", agentId: agentA, featureId: 1 }),
      line({ line: "fizz one", agentId: agentB, featureId: 2 }),
      line({ line: "spark warns", level: "warn", agentId: agentA, featureId: 1 }),
      line({ line: "maestro decides", source: "orchestrator" }),
    ]);
    renderPanel(store);
    expect(shownLines()).toHaveLength(4);

    await user.selectOptions(screen.getByLabelText("Agent"), "Fizz");
    expect(shownLines()).toHaveLength(1);
    expect(shownLines()[0]).toContain("fizz one");
    expect(screen.getByText("1 of 4 lines")).toBeTruthy();

    // A line of the filtered agent arriving later shows; one of another agent does not.
    act(() =>
      store.logs.append([
        line({ line: "fizz two", agentId: agentB, featureId: 2 }),
        line({ line: "spark two", agentId: agentA, featureId: 1 }),
      ]),
    );
    expect(shownLines().map((text) => text.includes("fizz"))).toEqual([true, true]);

    await user.selectOptions(screen.getByLabelText("Agent"), "");
    await user.selectOptions(screen.getByLabelText("Feature"), "1");
    expect(shownLines()).toHaveLength(3);
    await user.selectOptions(screen.getByLabelText("Level"), "warn");
    expect(shownLines()).toHaveLength(1);
    expect(shownLines()[0]).toContain("spark warns");

    await user.click(screen.getByRole("button", { name: "Reset filters" }));
    await user.type(screen.getByLabelText("Search the agents' log"), "DECIDES");
    expect(shownLines()).toHaveLength(1);
    expect(shownLines()[0]).toContain("maestro decides");
  });

  it("clears the ring", async () => {
    const user = userEvent.setup();
    const store = storeWith();
    store.logs.append([line({ line: "one" }), line({ line: "two" })]);
    renderPanel(store);
    expect(shownLines()).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "Clear the agent log" }));
    expect(store.logs.size).toBe(0);
    expect(screen.queryAllByTestId("log-line")).toHaveLength(0);
    expect(screen.getByText(/No agent output since this page opened/)).toBeTruthy();
  });

  it("copies the shown lines and says so; a refused clipboard is told", async () => {
    const user = userEvent.setup();
    const store = storeWith({ events: [started(agentA, "Spark", 3, 1)] });
    store.logs.append([line({ line: "copied line", agentId: agentA, featureId: 3, level: "warn" })]);
    renderPanel(store);
    const written: string[] = [];
    const clipboard = Object.getOwnPropertyDescriptor(navigator, "clipboard");
    Object.defineProperty(navigator, "clipboard", {
      configurable: true,
      value: { writeText: async (text: string) => void written.push(text) },
    });
    try {
      await user.click(screen.getByRole("button", { name: "Copy the shown lines of the agent log" }));
      expect(written).toHaveLength(1);
      expect(written[0]).toMatch(/WARN agent Spark #3 copied line$/);
      expect(await screen.findByText("Copied 1 line of the agent log")).toBeTruthy();

      Object.defineProperty(navigator, "clipboard", {
        configurable: true,
        value: {
          writeText: async () => {
            throw new Error("Write permission denied.");
          },
        },
      });
      await user.click(screen.getByRole("button", { name: "Copy the shown lines of the agent log" }));
      const alert = await screen.findByRole("alert");
      expect(alert.textContent).toContain("The lines could not be copied");
      expect(alert.textContent).toContain("Write permission denied.");
    } finally {
      if (clipboard === undefined) delete (navigator as unknown as Record<string, unknown>)["clipboard"];
      else Object.defineProperty(navigator, "clipboard", clipboard);
    }
  });

  it("keeps 50,000 lines in the ring but only a window of rows in the DOM", () => {
    const store = storeWith();
    const lines = Array.from({ length: 50_000 }, (_, index) => line({ line: `line ${index}` }));
    store.logs.append(lines);
    const started = performance.now();
    renderPanel(store);
    const elapsed = performance.now() - started;
    expect(store.logs.size).toBe(50_000);
    expect(screen.getByText("50,000 lines")).toBeTruthy();
    const rows = screen.getAllByTestId("log-line");
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(100);
    // The rows are positioned over the full height, so the scrollbar is that of 50,000 lines.
    const region = screen.getByRole("region", { name: "Agent log lines" });
    expect((region.firstElementChild as HTMLElement).style.height).toBe(`${50_000 * 20}px`);
    expect(elapsed).toBeLessThan(2_000);
    // A new line at capacity pushes the oldest out; the DOM still holds a window only.
    act(() => store.logs.append([line({ line: "newest" })]));
    expect(store.logs.size).toBe(50_000);
    expect(store.logs.at(0)?.line).toBe("line 1");
    expect(screen.getAllByTestId("log-line").length).toBeLessThan(100);
  });

  it("shows the dev server's output in its tab, seeded from the server's recent lines", async () => {
    server.restore();
    server = fakeServer([
      {
        method: "GET",
        path: "/api/projects/demo/devserver",
        body: { status: "running", url: "http://127.0.0.1:5173/", recentLog: ["ready in 200 ms"] },
      },
    ]);
    const user = userEvent.setup();
    const store = storeWith();
    renderPanel(store);
    await user.click(screen.getByRole("tab", { name: "Dev server" }));
    expect(await screen.findByText("ready in 200 ms")).toBeTruthy();
    act(() =>
      store.devServerLogs.append([
        { at: new Date().toISOString(), line: "GET / 200", level: "info", source: "devserver" },
      ]),
    );
    expect(shownLines().map((text) => text.includes("GET / 200"))).toEqual([false, true]);
  });
});
