import { emptySnapshot, type Snapshot } from "@autowright/protocol";
import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { durableEvent, fakeServer, helloEvent, makeFeature, storeWith } from "../../test-support.ts";
import { MissionControl } from "./mission-control.tsx";
import { projectDetail, renderWithStore, withLayout } from "./mission-test-support.tsx";
import { RunBanners } from "./run-banners.tsx";

const orchestrator = (fields: Partial<Snapshot["orchestrator"]> = {}): Snapshot["orchestrator"] => ({
  ...emptySnapshot().orchestrator,
  ...fields,
});

const started = (seq: number, agentId = "coding-1", name: "Spark" | "Fizz" | "Octo" = "Spark") =>
  durableEvent(
    "agent.started",
    {
      agentId,
      index: 0,
      name,
      role: "coding",
      featureIds: [3],
      featureNames: ["Cart"],
      model: "claude-sonnet-4",
    },
    seq,
  );

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe("MissionControl", () => {
  it("shows an agent's card from agent.started and agent.updated, and removes it on agent.ended", async () => {
    const store = storeWith({ features: [makeFeature(3, { name: "Cart" })] });
    renderWithStore(<MissionControl />, store);
    expect(screen.getByText("No agents running — press Start")).toBeTruthy();
    expect(screen.getByTestId("mission-summary").textContent).toBe("Idle");

    act(() => store.dispatch({ type: "events", events: [started(1)] }));
    const card = screen.getByTestId("agent-card-coding-1");
    expect(within(card).getByText("Spark")).toBeTruthy();
    expect(within(card).getByText("CODE")).toBeTruthy();
    expect(within(card).getByTestId("agent-state").textContent).toContain("Warming up…");
    expect(within(card).getByRole("button", { name: "#3 Cart" })).toBeTruthy();
    expect(within(card).getByText("claude-sonnet-4")).toBeTruthy();
    expect(screen.getByTestId("mission-summary").textContent).toBe("1 agent active");

    act(() =>
      store.dispatch({
        type: "events",
        events: [
          durableEvent(
            "agent.updated",
            {
              agentId: "coding-1",
              state: "working",
              thought: "Adding the cart reducer.",
              tool: "write_file",
            },
            2,
          ),
        ],
      }),
    );
    expect(within(card).getByTestId("agent-state").textContent).toContain("Coding away…");
    expect(within(card).getByTestId("agent-thought").textContent).toContain("Adding the cart reducer.");
    expect(within(card).getByTestId("agent-tool").textContent).toContain("write_file");
    expect(within(card).getByRole("img", { name: "Spark, working" })).toBeTruthy();
    // The feed says it too, with the agent's name.
    const feed = screen.getByTestId("activity-feed");
    expect(within(feed).getByText("Adding the cart reducer.")).toBeTruthy();

    act(() =>
      store.dispatch({
        type: "events",
        events: [
          durableEvent(
            "agent.ended",
            {
              agentId: "coding-1",
              featureIds: [3],
              outcome: "passed",
              usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.01 },
            },
            3,
          ),
        ],
      }),
    );
    expect(screen.queryByTestId("agent-card-coding-1")).toBeNull();
    expect(screen.getByText("No agents running — press Start")).toBeTruthy();
  });

  it("opens the feature of an agent's card", async () => {
    const store = storeWith({
      features: [makeFeature(3, { name: "Cart" })],
      events: [helloEvent(), started(1)],
    });
    window.history.replaceState(null, "", "/projects/demo");
    renderWithStore(<MissionControl />, store);
    await userEvent.click(screen.getByRole("button", { name: "#3 Cart" }));
    expect(window.location.pathname).toBe("/projects/demo/features/3");
  });

  it("lists Maestro's decisions newest first, collapsed to the latest one", async () => {
    const store = storeWith({
      events: [
        helloEvent(),
        durableEvent(
          "orchestrator.decided",
          { kind: "run_started", message: "run started: up to 3 agents" },
          1,
        ),
        durableEvent(
          "orchestrator.decided",
          {
            kind: "agent_spawned",
            message: "Spark (coding) starts on #3 Cart",
            featureId: 3,
            agentId: "coding-1",
          },
          2,
        ),
        durableEvent(
          "orchestrator.decided",
          { kind: "feature_verified", message: "#3 Cart verified and merged", featureId: 3 },
          3,
        ),
      ],
    });
    renderWithStore(<MissionControl />, store);
    const maestro = screen.getByTestId("maestro");
    const latest = within(maestro).getByTestId("decision-latest");
    expect(latest.textContent).toContain("#3 Cart verified and merged");
    expect(within(maestro).queryByText("run started: up to 3 agents")).toBeNull();

    await userEvent.click(within(maestro).getByRole("button", { name: "Show all 3 recent decisions" }));
    const list = within(maestro).getByRole("list", { name: "Recent decisions, newest first" });
    const items = within(list)
      .getAllByRole("listitem")
      .map((item) => item.textContent ?? "");
    expect(items).toHaveLength(3);
    expect(items[0]).toContain("#3 Cart verified and merged");
    expect(items[1]).toContain("Spark (coding) starts on #3 Cart");
    expect(items[2]).toContain("run started: up to 3 agents");
    expect(within(list).getAllByLabelText("Feature verified")).toHaveLength(1);

    // A new decision goes on top.
    act(() =>
      store.dispatch({
        type: "events",
        events: [durableEvent("orchestrator.decided", { kind: "paused", message: "paused by the user" }, 4)],
      }),
    );
    expect(within(list).getAllByRole("listitem")[0]?.textContent).toContain("paused by the user");
  });

  it("shows Maestro's state, message and capacity from orchestrator.updated", () => {
    const store = storeWith();
    renderWithStore(<MissionControl />, store);
    const maestro = screen.getByTestId("maestro");
    expect(within(maestro).getByTestId("maestro-state").textContent).toBe("Standing by");
    act(() =>
      store.dispatch({
        type: "events",
        events: [
          durableEvent(
            "orchestrator.updated",
            {
              state: "monitoring",
              message: "2 agents running: Spark on #1; Fizz on #5",
              codingAgents: 2,
              testingAgents: 1,
              verifyingAgents: 4,
              maxConcurrency: 5,
              readyCount: 6,
              blockedCount: 7,
            },
            1,
          ),
        ],
      }),
    );
    expect(within(maestro).getByTestId("maestro-state").textContent).toBe("Watching progress");
    expect(within(maestro).getByTestId("maestro-message").textContent).toBe(
      "2 agents running: Spark on #1; Fizz on #5",
    );
    expect(within(maestro).getByTestId("capacity-coding").textContent).toBe("Coding2");
    expect(within(maestro).getByTestId("capacity-testing").textContent).toBe("Testing1");
    expect(within(maestro).getByTestId("capacity-verifying").textContent).toBe("Verifying4");
    expect(within(maestro).getByTestId("capacity-ready").textContent).toBe("Ready6");
    expect(within(maestro).getByTestId("capacity-blocked").textContent).toBe("Blocked7");
    expect(within(maestro).getByTestId("capacity-slots").textContent).toContain("3 of 5");
    expect(within(maestro).getByRole("img", { name: "Maestro, watching progress" })).toBeTruthy();
  });

  it("counts down a rate-limited agent's reset", () => {
    const resetAt = new Date(Date.now() + 83_000).toISOString();
    const store = storeWith({
      events: [
        helloEvent(),
        started(1),
        durableEvent("agent.updated", { agentId: "coding-1", state: "rate_limited", resetAt }, 2),
      ],
    });
    renderWithStore(<MissionControl />, store);
    expect(screen.getByTestId("agent-card-coding-1").textContent).toContain(
      "Waiting for the limit — resets in 1:23",
    );
  });

  it("opens an agent's log with its lines only, live", async () => {
    restore = withLayout();
    const store = storeWith({ events: [helloEvent(), started(1)] });
    renderWithStore(<MissionControl />, store);
    store.logs.append([
      {
        at: "2026-12-03T12:00:01.000Z",
        line: "reading the spec",
        level: "info",
        source: "agent",
        agentId: "coding-1",
      },
      {
        at: "2026-12-03T12:00:02.000Z",
        line: "someone else's line",
        level: "info",
        source: "agent",
        agentId: "other",
      },
    ]);
    await userEvent.click(screen.getByRole("button", { name: "Show Spark's log" }));
    const dialog = await screen.findByRole("dialog", { name: "Spark's log" });
    expect(within(dialog).getByText("1 line since this page opened")).toBeTruthy();
    act(() =>
      store.logs.append([
        {
          at: "2026-12-03T12:00:03.000Z",
          line: "tests pass",
          level: "info",
          source: "agent",
          agentId: "coding-1",
        },
      ]),
    );
    expect(within(dialog).getByText("2 lines since this page opened")).toBeTruthy();
    expect(within(dialog).getByText("reading the spec")).toBeTruthy();
    expect(within(dialog).getByText("tests pass")).toBeTruthy();
    expect(within(dialog).queryByText("someone else's line")).toBeNull();

    // The agent ends while its log is read: the card goes, the log stays.
    act(() =>
      store.dispatch({
        type: "events",
        events: [
          durableEvent(
            "agent.ended",
            {
              agentId: "coding-1",
              featureIds: [3],
              outcome: "passed",
              usage: { inputTokens: 1, outputTokens: 1, costUsd: null },
            },
            2,
          ),
        ],
      }),
    );
    expect(screen.queryByTestId("agent-card-coding-1")).toBeNull();
    expect(screen.getByRole("dialog", { name: "Spark's log" })).toBeTruthy();
    expect(within(dialog).getByText("tests pass")).toBeTruthy();
  });

  it("shows the full session log from the server, and its error when it fails", async () => {
    const server = fakeServer([
      {
        method: "GET",
        path: "/api/projects/demo/sessions/coding-1",
        body: {
          session: {
            id: "coding-1",
            role: "coding",
            featureIds: [3],
            model: "m",
            provider: "replay",
            startedAt: "2026-12-03T12:00:00.000Z",
            endedAt: null,
            outcome: null,
            summary: null,
            usage: { inputTokens: 0, outputTokens: 0, costUsd: null },
          },
          log: {
            lines: [{ at: "2026-12-03T12:00:00.000Z", level: "info", line: "from the session file" }],
            nextOffset: 40,
            size: 40,
            truncated: false,
          },
        },
      },
    ]);
    const unlayout = withLayout();
    restore = () => {
      server.restore();
      unlayout();
    };
    const store = storeWith({ events: [helloEvent(), started(1), started(2, "coding-2", "Fizz")] });
    renderWithStore(<MissionControl />, store);
    await userEvent.click(screen.getByRole("button", { name: "Show Spark's log" }));
    await userEvent.click(await screen.findByRole("tab", { name: "Full session log" }));
    expect(await screen.findByText("from the session file")).toBeTruthy();
    await userEvent.keyboard("{Escape}");

    await userEvent.click(screen.getByRole("button", { name: "Show Fizz's log" }));
    await userEvent.click(await screen.findByRole("tab", { name: "Full session log" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The session log could not be loaded");
    expect(alert.textContent).toContain("no route GET /api/projects/demo/sessions/coding-2");
  });
});

describe("MissionControl collapsing", () => {
  it("hides and shows its body, remembering the choice", async () => {
    const store = storeWith();
    const first = renderWithStore(<MissionControl />, store);
    await userEvent.click(screen.getByRole("button", { name: "Hide" }));
    expect(screen.queryByTestId("maestro")).toBeNull();
    expect(localStorage.getItem("autowright-mission-collapsed")).toBe("1");
    first.unmount();
    renderWithStore(<MissionControl />, store);
    expect(screen.queryByTestId("maestro")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Show" }));
    expect(screen.getByTestId("maestro")).toBeTruthy();
  });
});

describe("RunBanners", () => {
  it("says when a rate-limited run resumes, with a countdown", async () => {
    restore = fakeServer([{ method: "GET", path: "/api/projects/demo", body: projectDetail() }]).restore;
    const resumeAt = new Date(Date.now() + 192_000).toISOString();
    const store = storeWith({
      events: [helloEvent(), durableEvent("run.updated", { status: "rate_limited", resumeAt }, 1)],
    });
    renderWithStore(<RunBanners />, store);
    const banner = screen.getByTestId("banner-rate_limited");
    expect(banner.getAttribute("role")).toBe("status");
    expect(banner.textContent).toMatch(/Resumes automatically at .+ \(in 3:1[12]\)\. Nothing to do\./);
  });

  it("lists why each feature is stalled, with what to do", async () => {
    restore = fakeServer([{ method: "GET", path: "/api/projects/demo", body: projectDetail() }]).restore;
    const features = [
      makeFeature(2, { name: "Payments", status: "failed", lastError: "the checks failed" }),
      makeFeature(4, { name: "Cart", dependencies: [2] }),
      makeFeature(5, { name: "Login", status: "needs_input" }),
    ];
    const store = storeWith({
      features,
      events: [
        helloEvent(),
        durableEvent(
          "orchestrator.updated",
          {
            ...orchestrator({ state: "stalled", message: "nothing is ready and nothing is running" }),
            stalled: [
              { featureId: 4, reason: "dependency_failed" },
              { featureId: 5, reason: "waiting_for_input" },
            ],
          },
          1,
        ),
        durableEvent("run.updated", { status: "stalled", reason: "nothing can progress without you" }, 2),
      ],
    });
    renderWithStore(<RunBanners />, store);
    const banner = screen.getByTestId("banner-stalled");
    const entries = within(banner)
      .getAllByTestId("stall-entry")
      .map((entry) => entry.textContent ?? "");
    expect(entries[0]).toContain("#4 Cart: is blocked by a failed dependency (#2 failed)");
    expect(entries[1]).toContain("#5 Login: waits for your answer");
    expect(entries[2]).toContain("#2 Payments: failed — the checks failed");
    expect(within(banner).getByRole("button", { name: "Answer" })).toBeTruthy();
    expect(within(banner).getAllByRole("button", { name: "Retry #2" })).toHaveLength(2);
  });

  it("retries a failed feature, and shows the error when the server refuses", async () => {
    const server = fakeServer([
      { method: "GET", path: "/api/projects/demo", body: projectDetail() },
      {
        method: "POST",
        path: "/api/projects/demo/features/2/skip",
        status: 409,
        body: { error: { code: "invalid_transition", message: "feature 2 is in progress" } },
      },
    ]);
    restore = server.restore;
    const store = storeWith({
      features: [makeFeature(2, { name: "Payments", status: "failed" })],
      events: [helloEvent(), durableEvent("run.updated", { status: "stalled" }, 1)],
    });
    renderWithStore(<RunBanners />, store);
    await userEvent.click(screen.getByRole("button", { name: "Retry #2" }));
    const alert = await screen.findByText("feature 2 is in progress");
    expect(alert).toBeTruthy();
    expect(server.calls.some((call) => call.method === "POST" && call.url.endsWith("/features/2/skip"))).toBe(
      true,
    );
  });

  it("says what to do when paused, completed, crashed, or when the credentials were refused", async () => {
    const server = fakeServer([
      {
        method: "GET",
        path: "/api/projects/demo",
        body: projectDetail(
          {
            status: "stopped",
            reason: "the model provider refused the credentials: 401",
            governor: "auth_failed",
          },
          "stopped",
        ),
      },
    ]);
    restore = server.restore;
    const store = storeWith({ events: [helloEvent(), durableEvent("run.updated", { status: "paused" }, 1)] });
    renderWithStore(<RunBanners />, store);
    expect(screen.getByTestId("banner-paused").textContent).toContain("press Resume");

    act(() =>
      store.dispatch({ type: "events", events: [durableEvent("run.updated", { status: "stopped" }, 2)] }),
    );
    const auth = await screen.findByTestId("banner-auth");
    expect(auth.getAttribute("role")).toBe("alert");
    expect(auth.textContent).toContain("Fix the credentials in Settings");
    expect(screen.queryByTestId("banner-paused")).toBeNull();

    act(() =>
      store.dispatch({
        type: "events",
        events: [durableEvent("run.updated", { status: "crashed", reason: "the worker died" }, 3)],
      }),
    );
    expect(screen.getByTestId("banner-crashed").textContent).toContain("the worker died");
  });

  it("celebrates nothing but says all features pass with the cost when the run completed", () => {
    restore = fakeServer([{ method: "GET", path: "/api/projects/demo", body: projectDetail() }]).restore;
    const store = storeWith({
      events: [
        helloEvent({}, 0),
        durableEvent(
          "agent.ended",
          {
            agentId: "a",
            featureIds: [1],
            outcome: "passed",
            usage: { inputTokens: 1, outputTokens: 1, costUsd: 1.5 },
          },
          1,
        ),
        durableEvent(
          "progress.updated",
          { ...emptySnapshot().progress, passing: 4, total: 4, percentage: 100 },
          2,
        ),
        durableEvent("run.updated", { status: "completed", reason: "all 4 features pass" }, 3),
      ],
    });
    renderWithStore(<RunBanners />, store);
    const banner = screen.getByTestId("banner-completed");
    expect(banner.textContent).toContain("All 4 features pass");
    expect(banner.textContent).toContain("$1.50");
  });

  it("shows nothing while a run goes well", async () => {
    restore = fakeServer([{ method: "GET", path: "/api/projects/demo", body: projectDetail() }]).restore;
    const store = storeWith({
      events: [helloEvent(), durableEvent("run.updated", { status: "running" }, 1)],
    });
    const { container } = renderWithStore(<RunBanners />, store);
    await waitFor(() => expect(container.querySelector("[data-testid^=banner-]")).toBeNull());
  });
});
