import { act, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { durableEvent, helloEvent, makeFeature, storeWith } from "../../test-support.ts";
import { renderWithStore } from "../mission-control/mission-test-support.tsx";
import { CelebrationOverlay, SoundToggle } from "./celebration-overlay.tsx";
import { soundsEnabled, soundsStorageKey } from "./sounds.ts";

const later = "2026-12-03T12:05:00.000Z";

const sparkOnCart = (seq: number) =>
  durableEvent(
    "agent.started",
    {
      agentId: "coding-1",
      index: 0,
      name: "Spark",
      role: "coding",
      featureIds: [3],
      featureNames: ["Cart"],
      model: "m",
    },
    seq,
  );

const cartPasses = (seq: number) =>
  durableEvent(
    "feature.updated",
    { feature: makeFeature(3, { name: "Cart", status: "passing", updatedAt: later }) },
    seq,
  );

describe("CelebrationOverlay", () => {
  it("celebrates a feature that passed verification live", async () => {
    const store = storeWith({ features: [makeFeature(3, { name: "Cart", status: "verifying" })] });
    renderWithStore(<CelebrationOverlay />, store);
    expect(screen.queryByTestId("celebration")).toBeNull();
    act(() => store.dispatch({ type: "events", events: [sparkOnCart(1), cartPasses(2)] }));
    const celebration = screen.getByTestId("celebration");
    expect(celebration.getAttribute("data-kind")).toBe("feature_passed");
    expect(celebration.textContent).toContain("Spark's work on #3 Cart passed verification");
    expect(screen.getByTestId("celebration-announcement").textContent).toBe(
      "Spark's work on #3 Cart passed verification",
    );
    expect(screen.getByTestId("celebration-announcement").getAttribute("aria-live")).toBe("polite");

    await userEvent.keyboard("{Escape}");
    expect(screen.queryByTestId("celebration")).toBeNull();
    expect(store.view.celebrations).toHaveLength(0);
  });

  it("does not celebrate the same pass replayed (seq at or below hello.lastSeq)", () => {
    const store = storeWith({
      features: [makeFeature(3, { name: "Cart", status: "verifying" })],
      events: [helloEvent({}, 5)],
    });
    renderWithStore(<CelebrationOverlay />, store);
    act(() => store.dispatch({ type: "events", events: [sparkOnCart(1), cartPasses(2)] }));
    expect(store.view.features.get(3)?.status).toBe("passing");
    expect(screen.queryByTestId("celebration")).toBeNull();
    expect(screen.getByTestId("celebration-announcement").textContent).toBe("");
  });

  it("does not celebrate a session that merely ended with outcome passed", () => {
    const store = storeWith({ features: [makeFeature(3, { name: "Cart", status: "in_progress" })] });
    renderWithStore(<CelebrationOverlay />, store);
    act(() =>
      store.dispatch({
        type: "events",
        events: [
          sparkOnCart(1),
          durableEvent("agent.updated", { agentId: "coding-1", state: "success" }, 2),
          durableEvent(
            "agent.ended",
            {
              agentId: "coding-1",
              featureIds: [3],
              outcome: "passed",
              usage: { inputTokens: 1, outputTokens: 1, costUsd: 0 },
            },
            3,
          ),
        ],
      }),
    );
    expect(screen.queryByTestId("celebration")).toBeNull();
  });

  it("shows queued celebrations one at a time, a click dismissing each, then the project's", async () => {
    const store = storeWith({
      features: [
        makeFeature(3, { name: "Cart", status: "verifying" }),
        makeFeature(4, { name: "Pay", status: "verifying" }),
      ],
    });
    renderWithStore(<CelebrationOverlay />, store);
    act(() =>
      store.dispatch({
        type: "events",
        events: [
          cartPasses(1),
          durableEvent(
            "feature.updated",
            { feature: makeFeature(4, { name: "Pay", status: "passing", updatedAt: later }) },
            2,
          ),
          durableEvent("run.updated", { status: "completed" }, 3),
        ],
      }),
    );
    expect(screen.getAllByTestId("celebration")).toHaveLength(1);
    expect(screen.getByTestId("celebration").textContent).toContain(
      "The work on #3 Cart passed verification",
    );
    await userEvent.click(screen.getByRole("button", { name: /#3 Cart passed verification/ }));
    expect(screen.getByTestId("celebration").textContent).toContain("#4 Pay passed verification");
    await userEvent.click(screen.getByRole("button", { name: /#4 Pay passed verification/ }));
    const project = screen.getByTestId("celebration");
    expect(project.getAttribute("data-kind")).toBe("project_completed");
    expect(project.textContent).toContain("Mission accomplished!");
    await userEvent.click(screen.getByRole("button", { name: "Wonderful" }));
    expect(screen.queryByTestId("celebration")).toBeNull();
  });

  it("dismisses a celebration by itself after a few seconds", () => {
    vi.useFakeTimers();
    try {
      const store = storeWith({ features: [makeFeature(3, { name: "Cart", status: "verifying" })] });
      renderWithStore(<CelebrationOverlay />, store);
      act(() => store.dispatch({ type: "events", events: [cartPasses(1)] }));
      expect(screen.getByTestId("celebration")).toBeTruthy();
      act(() => vi.advanceTimersByTime(2_000));
      expect(screen.getByTestId("celebration")).toBeTruthy();
      act(() => vi.advanceTimersByTime(2_000));
      expect(screen.queryByTestId("celebration")).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("SoundToggle", () => {
  it("is off by default and remembers the choice", async () => {
    const store = storeWith();
    renderWithStore(<SoundToggle />, store);
    const toggle = screen.getByRole("switch", { name: "Celebration sounds" });
    expect(toggle.getAttribute("aria-checked")).toBe("false");
    expect(soundsEnabled()).toBe(false);
    await userEvent.click(toggle);
    expect(toggle.getAttribute("aria-checked")).toBe("true");
    expect(localStorage.getItem(soundsStorageKey)).toBe("on");
    await userEvent.click(toggle);
    expect(localStorage.getItem(soundsStorageKey)).toBe("off");
    expect(soundsEnabled()).toBe(false);
  });
});
