import { emptySnapshot, type Progress } from "@autowright/protocol";
import { act, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { durableEvent, helloEvent, storeWith } from "../../test-support.ts";
import { renderWithStore } from "../mission-control/mission-test-support.tsx";
import { ProgressCard } from "./progress-card.tsx";
import { progressSummary } from "./progress-chart.tsx";

const progress = (fields: Partial<Progress>): Progress => ({ ...emptySnapshot().progress, ...fields });

const ended = (seq: number, costUsd: number | null, inputTokens = 1_000, outputTokens = 200) =>
  durableEvent(
    "agent.ended",
    {
      agentId: `a${seq}`,
      featureIds: [1],
      outcome: "passed",
      usage: { inputTokens, outputTokens, costUsd },
    },
    seq,
  );

describe("ProgressCard", () => {
  it("shows passing of total, the bar and the counts by status", () => {
    const store = storeWith({
      events: [
        helloEvent({
          progress: progress({
            passing: 3,
            total: 10,
            percentage: 30,
            verifying: 1,
            inProgress: 2,
            needsInput: 1,
            failed: 1,
            pending: 2,
          }),
        }),
      ],
    });
    renderWithStore(<ProgressCard />, store);
    expect(screen.getByTestId("progress-count").textContent).toBe("3 / 10");
    expect(screen.getByTestId("progress-percentage").textContent).toBe("30%");
    const bar = screen.getByRole("progressbar", { name: "Features passing" });
    expect(bar.getAttribute("aria-valuenow")).toBe("3");
    expect(bar.getAttribute("aria-valuemax")).toBe("10");
    expect(screen.getByTestId("progress-verifying").textContent).toBe("1verifying");
    expect(screen.getByTestId("progress-in-progress").textContent).toBe("2in progress");
    expect(screen.getByTestId("progress-needs-input").textContent).toBe("1needs input");
    expect(screen.getByTestId("progress-failed").textContent).toBe("1failed");
    expect(screen.getByTestId("progress-waiting").textContent).toBe("2waiting");
  });

  it("follows progress.updated and summarises the history for screen readers", () => {
    const store = storeWith({ events: [helloEvent({ progress: progress({ total: 4 }) })] });
    renderWithStore(<ProgressCard />, store);
    expect(screen.getByTestId("progress-count").textContent).toBe("0 / 4");
    act(() =>
      store.dispatch({
        type: "events",
        events: [
          durableEvent("progress.updated", progress({ passing: 1, total: 4, percentage: 25 }), 1),
          durableEvent("progress.updated", progress({ passing: 2, total: 4, percentage: 50 }), 2),
        ],
      }),
    );
    expect(screen.getByTestId("progress-count").textContent).toBe("2 / 4");
    expect(screen.getByTestId("progress-percentage").textContent).toBe("50%");
    expect(screen.getByTestId("progress-chart-summary").textContent).toMatch(
      /^Progress over time: from 0 of 4 passing at .+ to 2 of 4 at .+\.$/,
    );
  });

  it("sums cost, tokens and sessions, and shows a lower bound when a cost is unknown", () => {
    const store = storeWith({ events: [helloEvent(), ended(1, 0.25), ended(2, 0.5, 2_000, 300)] });
    renderWithStore(<ProgressCard />, store);
    expect(screen.getByTestId("usage-cost").textContent).toBe("$0.75");
    expect(screen.getByTestId("usage-tokens").textContent).toBe("3.5k");
    expect(screen.getByText("3.0k in · 500 out")).toBeTruthy();
    expect(screen.getByTestId("usage-sessions").textContent).toBe("2");

    act(() => store.dispatch({ type: "events", events: [ended(3, null)] }));
    expect(screen.getByTestId("usage-cost").textContent).toBe("≥ $0.75");
    expect(screen.getByTestId("usage-sessions").textContent).toBe("3");
  });

  it("shows an unknown cost as a dash and an empty project as 0 / 0", () => {
    const store = storeWith({ events: [helloEvent(), ended(1, null)] });
    renderWithStore(<ProgressCard />, store);
    expect(screen.getByTestId("usage-cost").textContent).toBe("—");
    expect(screen.getByTestId("progress-count").textContent).toBe("0 / 0");
    expect(screen.getByTestId("progress-percentage").textContent).toBe("0%");
    expect(screen.getByText("The chart fills in as features pass.")).toBeTruthy();
  });
});

describe("progressSummary", () => {
  it("says what the chart shows", () => {
    expect(progressSummary([])).toBe("No progress recorded yet.");
    expect(progressSummary([{ at: "2026-12-03T12:00:00.000Z", passing: 1, total: 3 }])).toMatch(
      /^1 of 3 features passing at .+\.$/,
    );
  });
});
