import type { AgentSnapshot, Feature } from "@autowright/protocol";
import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ProjectStoreProvider } from "../../state/project-context.tsx";
import { ProjectStore } from "../../state/project-store.ts";
import { durableEvent, helloEvent, idleEnvironment, makeFeature, storeWith } from "../../test-support.ts";
import { GraphErrorBoundary, GraphView } from "./graph-view.tsx";

const agent: AgentSnapshot = {
  agentId: "coding-1",
  index: 0,
  name: "Spark",
  role: "coding",
  featureIds: [2],
  featureNames: ["Feature 2"],
  model: "replay",
  state: "working",
};

function backlog(): Feature[] {
  return [
    makeFeature(1, { status: "passing", name: "Database schema" }),
    makeFeature(2, { status: "in_progress", dependencies: [1], name: "Login form" }),
    makeFeature(3, { status: "pending", dependencies: [2], name: "Profile page" }),
    makeFeature(4, { status: "failed", name: "Export" }),
    makeFeature(5, { status: "needs_input", name: "Payment provider" }),
    makeFeature(6, { status: "regressed", name: "Search" }),
    makeFeature(7, { status: "verifying", name: "Avatar upload" }),
  ];
}

/** The canvas is a lazy chunk: its first import can take a while on a loaded machine. */
const loaded = { timeout: 10_000 };

function renderGraph(store: ProjectStore) {
  return render(
    <ProjectStoreProvider project="demo" store={store}>
      <GraphView />
    </ProjectStoreProvider>,
  );
}

beforeEach(() => {
  window.history.replaceState(null, "", "/projects/demo/graph");
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("GraphView", () => {
  it("draws a node per feature with its status in words and an icon, and the agents' mascots", async () => {
    const store = storeWith({ features: backlog(), events: [helloEvent({ agents: [agent] })] });
    renderGraph(store);
    const login = await screen.findByTestId("graph-node-2", {}, loaded);
    expect(screen.getByTestId("graph-view").dataset["state"]).toBe("ready");
    for (const feature of backlog()) expect(screen.getByTestId(`graph-node-${feature.id}`)).toBeTruthy();
    expect(login.dataset["status"]).toBe("in_progress");
    expect(within(login).getByText("In progress")).toBeTruthy();
    expect(within(login).getByText("#2")).toBeTruthy();
    expect(within(login).getByText("Login form")).toBeTruthy();
    expect(within(login).getByRole("img", { name: "Spark, working" })).toBeTruthy();
    expect(login.getAttribute("aria-label")).toBe("#2 Login form (In progress; Spark working)");
    expect(login.querySelector("svg.lucide")).not.toBeNull();
    // Only the node the agent works on has a mascot.
    expect(within(screen.getByTestId("graph-node-1")).queryByRole("img")).toBeNull();
    // Pending behind a dependency that does not pass: blocked, said in words.
    const profile = screen.getByTestId("graph-node-3");
    expect(within(profile).getByText("Blocked")).toBeTruthy();
    expect(profile.getAttribute("aria-label")).toContain("waiting for 1 dependency");
    expect(within(screen.getByTestId("graph-node-6")).getByText("Regressed")).toBeTruthy();
    expect(within(screen.getByTestId("graph-node-5")).getByText("Needs input")).toBeTruthy();
    expect(screen.getByTestId("graph-summary").textContent).toContain("7 features · 2 dependencies");
  });

  it("has a legend with a count per status", async () => {
    const store = storeWith({ features: backlog() });
    renderGraph(store);
    const legend = await screen.findByRole("region", { name: "Legend" }, loaded);
    const toggle = within(legend).getByRole("button", { name: "Legend" });
    // Collapsed on a narrow screen (jsdom's 1024 px) until opened; the choice is remembered.
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    await userEvent.click(toggle);
    const row = (label: string) => within(legend).getByText(label).closest("li")?.textContent;
    expect(row("Passing")).toBe("Passing1");
    expect(row("Blocked")).toBe("Blocked1");
    expect(row("Pending")).toBe("Pending0");
    expect(row("Regressed")).toBe("Regressed1");
    expect(localStorage.getItem("autowright-graph-legend")).toBe("open");
    await userEvent.click(toggle);
    expect(within(legend).queryByText("Passing")).toBeNull();
    expect(localStorage.getItem("autowright-graph-legend")).toBe("closed");
  });

  it("opens a feature on click and on Enter", async () => {
    const user = userEvent.setup();
    const store = storeWith({ features: backlog() });
    renderGraph(store);
    await user.click(await screen.findByTestId("graph-node-3", {}, loaded));
    expect(window.location.pathname).toBe("/projects/demo/features/3");
    expect(window.history.state).toEqual({ view: "graph" });
    window.history.replaceState(null, "", "/projects/demo/graph");
    screen.getByTestId("graph-node-4").focus();
    await user.keyboard("{Enter}");
    expect(window.location.pathname).toBe("/projects/demo/features/4");
  });

  it("restyles a node when its status changes, and moves the agent's mascot", async () => {
    const features = backlog();
    const store = storeWith({ features, events: [helloEvent({ agents: [agent] })] });
    renderGraph(store);
    await screen.findByTestId("graph-node-3", {}, loaded);
    const passed = {
      ...makeFeature(2, { dependencies: [1], name: "Login form" }),
      status: "passing" as const,
    };
    act(() => {
      store.dispatch({
        type: "events",
        events: [
          durableEvent(
            "feature.updated",
            { feature: { ...passed, updatedAt: "2027-01-01T00:00:00.000Z" } },
            5,
          ),
          durableEvent(
            "agent.ended",
            {
              agentId: "coding-1",
              featureIds: [2],
              outcome: "passed",
              usage: { inputTokens: 1, outputTokens: 1, costUsd: null },
            } as never,
            6,
          ),
        ],
      });
    });
    await waitFor(() => expect(screen.getByTestId("graph-node-2").dataset["status"]).toBe("passing"));
    expect(within(screen.getByTestId("graph-node-2")).queryByRole("img")).toBeNull();
    // Its dependent is no longer blocked.
    expect(within(screen.getByTestId("graph-node-3")).getByText("Pending")).toBeTruthy();
    // A status change alone (no agent, no dependency involved) restyles its node, and moves nothing.
    const wrapper = () => screen.getByTestId("graph-node-6").closest(".react-flow__node") as HTMLElement;
    const placed = wrapper().style.transform;
    act(() => {
      store.dispatch({
        type: "events",
        events: [
          durableEvent(
            "feature.updated",
            {
              feature: makeFeature(6, {
                name: "Search",
                status: "passing",
                updatedAt: "2027-01-01T00:00:00.000Z",
              }),
            },
            7,
          ),
        ],
      });
    });
    await waitFor(() => expect(screen.getByTestId("graph-node-6").dataset["status"]).toBe("passing"));
    expect(within(screen.getByTestId("graph-node-6")).getByText("Passing")).toBeTruthy();
    expect(wrapper().style.transform).toBe(placed);
  });

  it("switches the layout direction and remembers it", async () => {
    const user = userEvent.setup();
    const store = storeWith({ features: backlog() });
    const { unmount } = renderGraph(store);
    const topToBottom = await screen.findByRole("button", { name: "Top to bottom" }, loaded);
    expect(screen.getByRole("button", { name: "Left to right" }).getAttribute("aria-pressed")).toBe("true");
    await user.click(topToBottom);
    expect(topToBottom.getAttribute("aria-pressed")).toBe("true");
    expect(localStorage.getItem("autowright-graph-direction")).toBe("TB");
    unmount();
    renderGraph(store);
    expect(
      (await screen.findByRole("button", { name: "Top to bottom" }, loaded)).getAttribute("aria-pressed"),
    ).toBe("true");
  });

  it("says so when the search finds nothing", async () => {
    const user = userEvent.setup();
    renderGraph(storeWith({ features: backlog() }));
    const search = await screen.findByRole("searchbox", { name: "Find a feature by #id or name" }, loaded);
    await user.type(search, "nothing like it{Enter}");
    expect(screen.getByRole("alert").textContent).toBe("No feature matches “nothing like it”.");
    await user.clear(search);
    await user.type(search, "#4{Enter}");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("lays a large backlog out off the first render", async () => {
    const features = Array.from({ length: 400 }, (_, index) =>
      makeFeature(index + 1, { dependencies: index > 0 && index % 3 !== 0 ? [index] : [] }),
    );
    renderGraph(storeWith({ features }));
    const summary = await screen.findByTestId("graph-summary", {}, loaded);
    // "Laying out 400 features…" first (see use-graph-layout.test.ts: the timing is not the view's to assert).
    await waitFor(() => expect(summary.textContent).toBe("400 features · 266 dependencies"), {
      timeout: 10_000,
    });
  });

  it("shows an empty state with a way to the board", async () => {
    const user = userEvent.setup();
    renderGraph(storeWith({ features: [] }));
    expect(screen.getByTestId("graph-view").dataset["state"]).toBe("empty");
    expect(screen.getByText("No features yet")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Open the board" }));
    expect(window.location.pathname).toBe("/projects/demo/kanban");
  });

  it("waits for the backlog, and says why when it could not be loaded", () => {
    const store = new ProjectStore("demo", {
      environment: idleEnvironment,
      loadFeatures: () => new Promise(() => {}),
      scheduleFlush: (flush) => flush(),
    });
    store.dispatch({ type: "events", events: [helloEvent()] });
    renderGraph(store);
    expect(screen.getByTestId("graph-view").dataset["state"]).toBe("loading");
    act(() => store.dispatch({ type: "load.failed", message: "The backlog could not be loaded: boom" }));
    expect(screen.getByRole("alert").textContent).toContain("The backlog could not be loaded: boom");
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });
});

const flaky = { broken: true };

function Flaky() {
  if (flaky.broken) throw new Error("dagre exploded");
  return <p>drawn</p>;
}

describe("GraphErrorBoundary", () => {
  it("shows a readable message instead of a broken graph, and can try again", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    flaky.broken = true;
    render(
      <GraphErrorBoundary>
        <Flaky />
      </GraphErrorBoundary>,
    );
    expect(screen.getByRole("alert").textContent).toContain("The graph could not be drawn");
    expect(screen.getByRole("alert").textContent).toContain("dagre exploded");
    flaky.broken = false;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));
    expect(screen.getByText("drawn")).toBeTruthy();
  });
});
