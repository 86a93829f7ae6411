import type { Feature } from "@autowright/protocol";
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { ProjectStore } from "../../state/project-store.ts";
import {
  durableEvent,
  fakeServer,
  helloEvent,
  idleEnvironment,
  makeFeature,
  storeWith,
} from "../../test-support.ts";
import { renderWithStore } from "./board-test-support.tsx";
import { KanbanBoard } from "./kanban-board.tsx";

/** What the fake server passes a route's answer function. */
type FakeRequest = { url: string; body: unknown };

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
  window.history.replaceState(null, "", "/");
});

/** jsdom lays nothing out; a virtualised column needs its scroller to have a size (cards 100 px, scroller 600). */
function withLayout(): () => void {
  const sizes: Record<string, (element: HTMLElement) => number> = {
    clientWidth: () => 260,
    clientHeight: () => 600,
    offsetWidth: () => 260,
    offsetHeight: (element) => (element.hasAttribute("data-index") ? 100 : 600),
  };
  const originals = Object.keys(sizes).map(
    (name) => [name, Object.getOwnPropertyDescriptor(HTMLElement.prototype, name)] as const,
  );
  for (const [name, size] of Object.entries(sizes))
    Object.defineProperty(HTMLElement.prototype, name, {
      configurable: true,
      get(this: HTMLElement) {
        return size(this);
      },
    });
  return () => {
    for (const [name, descriptor] of originals)
      if (descriptor === undefined)
        delete (HTMLElement.prototype as unknown as Record<string, unknown>)[name];
      else Object.defineProperty(HTMLElement.prototype, name, descriptor);
  };
}

const column = (status: string) => screen.getByTestId(`kanban-column-${status}`);
const card = (id: number) => screen.getByTestId(`feature-card-${id}`);
const cardIdsIn = (status: string) =>
  within(column(status))
    .queryAllByTestId(/^feature-card-/)
    .map((element) => Number(element.dataset["testid"]?.replace("feature-card-", "")));

describe("the board", () => {
  it("puts each feature in the column of its status", () => {
    const statuses: Feature["status"][] = [
      "pending",
      "in_progress",
      "verifying",
      "needs_input",
      "failed",
      "passing",
      "regressed",
    ];
    const features = statuses.map((status, index) => makeFeature(index + 1, { status }));
    renderWithStore(<KanbanBoard />, storeWith({ features }));
    expect(cardIdsIn("pending")).toEqual([1, 7]);
    expect(cardIdsIn("in_progress")).toEqual([2]);
    expect(cardIdsIn("verifying")).toEqual([3]);
    expect(cardIdsIn("needs_input")).toEqual([4]);
    expect(cardIdsIn("failed")).toEqual([5]);
    expect(cardIdsIn("done")).toEqual([6]);
    // A regressed feature waits in Pending, said so on its card.
    expect(within(card(7)).getByText("regressed")).toBeTruthy();
    expect(within(card(1)).queryByText("regressed")).toBeNull();
    expect(screen.getByText("1 of 7 done")).toBeTruthy();
  });

  it("collapses an empty column to its name and a zero count", () => {
    renderWithStore(<KanbanBoard />, storeWith({ features: [makeFeature(1)] }));
    expect(column("done").dataset["collapsed"]).toBe("true");
    expect(within(column("done")).getByText("0")).toBeTruthy();
    expect(column("pending").dataset["collapsed"]).toBeUndefined();
  });

  it("shows the agent working on a card with its mascot, state and latest thought", () => {
    const store = storeWith({
      features: [makeFeature(1), makeFeature(2, { status: "in_progress" })],
      events: [
        helloEvent({}, 0),
        durableEvent(
          "agent.started",
          {
            agentId: "session-a",
            index: 0,
            name: "Spark",
            role: "coding",
            featureIds: [2],
            featureNames: ["Feature 2"],
            model: "replay",
          },
          1,
        ),
        durableEvent(
          "agent.updated",
          { agentId: "session-a", state: "thinking", thought: "Reading the cart module" },
          2,
        ),
      ],
    });
    renderWithStore(<KanbanBoard />, store);
    const agent = within(card(2)).getByTestId("card-agent");
    expect(within(agent).getByText("Spark")).toBeTruthy();
    expect(within(agent).getByText("Reading the cart module")).toBeTruthy();
    expect(within(agent).getByRole("img", { name: "Spark, thinking" })).toBeTruthy();
    expect(within(card(1)).queryByTestId("card-agent")).toBeNull();

    act(() =>
      store.dispatch({
        type: "events",
        events: [
          durableEvent(
            "agent.updated",
            { agentId: "session-a", state: "testing", thought: "Running npm test" },
            3,
          ),
        ],
      }),
    );
    expect(within(card(2)).getByText("Running npm test")).toBeTruthy();
    expect(within(card(2)).queryByText("Reading the cart module")).toBeNull();
  });

  it("moves a card to Done when a feature.updated event says it passes", () => {
    const feature = makeFeature(1, { status: "verifying" });
    const store = storeWith({ features: [feature, makeFeature(2)] });
    renderWithStore(<KanbanBoard />, store);
    expect(cardIdsIn("verifying")).toEqual([1]);
    act(() =>
      store.dispatch({
        type: "events",
        events: [
          durableEvent(
            "feature.updated",
            { feature: { ...feature, status: "passing", updatedAt: "2026-12-03T12:05:00.000Z" } },
            5,
          ),
        ],
      }),
    );
    expect(cardIdsIn("done")).toEqual([1]);
    expect(screen.queryByTestId("kanban-column-verifying")?.dataset["collapsed"]).toBe("true");
  });

  it("says which dependencies that do not pass block a card", () => {
    const features = [
      makeFeature(1),
      makeFeature(2, { status: "passing" }),
      makeFeature(3, { dependencies: [1, 2, 9] }),
      makeFeature(4, { dependencies: [2] }),
    ];
    renderWithStore(<KanbanBoard />, storeWith({ features }));
    expect(within(card(3)).getByText("blocked by #1, #9")).toBeTruthy();
    expect(within(card(4)).queryByText(/blocked by/)).toBeNull();
    expect(within(column("pending")).getByText("1 blocked")).toBeTruthy();
  });

  it("opens the feature detail on click and on Enter", async () => {
    window.history.replaceState(null, "", "/projects/demo/kanban");
    renderWithStore(<KanbanBoard />, storeWith({ features: [makeFeature(1), makeFeature(2)] }));
    await userEvent.click(within(card(2)).getByRole("button", { name: /Feature 2/ }));
    expect(window.location.pathname).toBe("/projects/demo/features/2");
    expect(window.history.state).toEqual({ view: "kanban" });
    within(card(1))
      .getByRole("button", { name: /Feature 1/ })
      .focus();
    await userEvent.keyboard("{Enter}");
    expect(window.location.pathname).toBe("/projects/demo/features/1");
  });

  it("reorders the pending queue from the keyboard with PATCHes of the priority", async () => {
    const features = [
      makeFeature(1, { priority: 10 }),
      makeFeature(2, { priority: 20 }),
      makeFeature(3, { priority: 30 }),
    ];
    const server = fakeServer([
      {
        method: "PATCH",
        path: /\/api\/projects\/demo\/features\/\d+$/,
        body: ({ url, body }: FakeRequest) => {
          const id = Number(url.split("/").at(-1));
          const current = features.find((feature) => feature.id === id) as Feature;
          return {
            feature: { ...current, ...(body as object), updatedAt: "2026-12-03T12:10:00.000Z" },
          };
        },
      },
    ]);
    restore = server.restore;
    renderWithStore(<KanbanBoard />, storeWith({ features }));
    within(card(3))
      .getByRole("button", { name: /Feature 3/ })
      .focus();
    await userEvent.keyboard("{Alt>}{ArrowUp}{/Alt}");
    await waitFor(() => expect(server.calls).toHaveLength(1));
    expect(server.calls[0]).toEqual({
      method: "PATCH",
      url: "/api/projects/demo/features/3",
      body: { priority: 15 },
    });
    // The answer moves the card (no event needed), and the moved card keeps the focus.
    await waitFor(() => expect(cardIdsIn("pending")).toEqual([1, 3, 2]));
    await waitFor(() =>
      expect(document.activeElement).toBe(within(card(3)).getByRole("button", { name: /Feature 3/ })),
    );
    expect(screen.getByText("Feature #3 moved to position 2 of 3 in Pending.")).toBeTruthy();

    // Up again to the top: before the first one.
    await userEvent.keyboard("{Alt>}{ArrowUp}{/Alt}");
    await waitFor(() => expect(server.calls).toHaveLength(2));
    expect(server.calls[1]?.body).toEqual({ priority: 9 });

    // Arrow keys without Alt do not reorder.
    await userEvent.keyboard("{ArrowDown}");
    expect(server.calls).toHaveLength(2);
  });

  it("renumbers the neighbours when there is no priority between them", async () => {
    const features = [
      makeFeature(1, { priority: 1 }),
      makeFeature(2, { priority: 2 }),
      makeFeature(3, { priority: 3 }),
    ];
    const server = fakeServer([
      {
        method: "PATCH",
        path: /\/api\/projects\/demo\/features\/\d+$/,
        body: ({ url, body }: FakeRequest) => {
          const current = features.find((feature) => feature.id === Number(url.split("/").at(-1))) as Feature;
          return { feature: { ...current, ...(body as object), updatedAt: "2026-12-03T12:10:00.000Z" } };
        },
      },
    ]);
    restore = server.restore;
    renderWithStore(<KanbanBoard />, storeWith({ features }));
    within(card(1))
      .getByRole("button", { name: /Feature 1/ })
      .focus();
    await userEvent.keyboard("{Alt>}{ArrowDown}{/Alt}");
    await waitFor(() => expect(server.calls).toHaveLength(2));
    await waitFor(() => expect(cardIdsIn("pending")).toEqual([2, 1, 3]));
  });

  it("tells the user when the server refuses a move", async () => {
    const server = fakeServer([
      {
        method: "PATCH",
        path: /features\/2$/,
        status: 409,
        body: { error: { code: "conflict", message: "the backlog is locked by an import" } },
      },
    ]);
    restore = server.restore;
    const features = [makeFeature(1, { priority: 10 }), makeFeature(2, { priority: 20 })];
    renderWithStore(<KanbanBoard />, storeWith({ features }));
    within(card(2))
      .getByRole("button", { name: /Feature 2/ })
      .focus();
    await userEvent.keyboard("{Alt>}{ArrowUp}{/Alt}");
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Feature #2 could not be moved");
    expect(alert.textContent).toContain("the backlog is locked by an import");
    expect(cardIdsIn("pending")).toEqual([1, 2]);
  });

  it("reorders by drag and drop in the pending column", async () => {
    const features = [
      makeFeature(1, { priority: 10 }),
      makeFeature(2, { priority: 20 }),
      makeFeature(3, { priority: 30 }),
    ];
    const server = fakeServer([
      {
        method: "PATCH",
        path: /\/api\/projects\/demo\/features\/\d+$/,
        body: ({ url, body }: FakeRequest) => {
          const current = features.find((feature) => feature.id === Number(url.split("/").at(-1))) as Feature;
          return { feature: { ...current, ...(body as object), updatedAt: "2026-12-03T12:10:00.000Z" } };
        },
      },
    ]);
    restore = server.restore;
    renderWithStore(<KanbanBoard />, storeWith({ features }));
    const dataTransfer = { setData() {}, effectAllowed: "", dropEffect: "" };
    fireEvent.dragStart(card(1), { dataTransfer });
    // jsdom lays nothing out: the card's box is 0 high, so a pointer at y=1 is below its middle ("after").
    fireEvent.dragOver(card(2), { dataTransfer, clientY: 1 });
    expect(card(2).dataset["drop"]).toBe("after");
    fireEvent.drop(card(2), { dataTransfer });
    await waitFor(() => expect(server.calls).toHaveLength(1));
    expect(server.calls[0]).toMatchObject({ url: "/api/projects/demo/features/1", body: { priority: 25 } });
  });

  it("validates the add form, shows the server's refusal, and adds the feature", async () => {
    let answer: { status: number; body: unknown } = {
      status: 400,
      body: {
        error: { code: "dependency_unknown", message: "feature 1 depends on 42, which does not exist" },
      },
    };
    const server = fakeServer([
      {
        method: "POST",
        path: "/api/projects/demo/features",
        get status() {
          return answer.status;
        },
        body: () => answer.body,
      },
    ]);
    restore = server.restore;
    renderWithStore(<KanbanBoard />, storeWith({ features: [makeFeature(1, { category: "core" })] }));
    await userEvent.keyboard("n");
    const dialog = await screen.findByRole("dialog", { name: "Add a feature" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Add feature" }));
    expect(within(dialog).getByText("A feature needs a name.")).toBeTruthy();
    expect(server.calls).toHaveLength(0);

    await userEvent.type(within(dialog).getByLabelText("Name"), "Wish list");
    await userEvent.type(within(dialog).getByLabelText("Category"), "shop");
    await userEvent.type(within(dialog).getByLabelText("Step 1"), "Add an item to the wish list");
    await userEvent.type(within(dialog).getByLabelText("Add a dependency"), "#1");
    await userEvent.click(within(dialog).getByRole("button", { name: /Add dependency Feature 1/ }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Add feature" }));
    await waitFor(() => expect(server.calls).toHaveLength(1));
    expect(server.calls[0]?.body).toEqual({
      category: "shop",
      name: "Wish list",
      description: "",
      steps: ["Add an item to the wish list"],
      verify: [],
      dependencies: [1],
    });
    const refusal = await within(dialog).findByRole("alert");
    expect(refusal.textContent).toContain("feature 1 depends on 42, which does not exist");
    expect(screen.getByRole("dialog", { name: "Add a feature" })).toBeTruthy();

    answer = {
      status: 201,
      body: { feature: makeFeature(2, { name: "Wish list", category: "shop", dependencies: [1] }) },
    };
    await userEvent.click(within(dialog).getByRole("button", { name: "Add feature" }));
    await waitFor(() => expect(screen.queryByRole("dialog", { name: "Add a feature" })).toBeNull());
    expect(within(card(2)).getByText("Wish list")).toBeTruthy();
    expect(within(card(2)).getByText("blocked by #1")).toBeTruthy();
  });

  it("stays usable with 2,000 features: long columns render only the cards in view", () => {
    const features = Array.from({ length: 2_000 }, (_, index) =>
      makeFeature(index + 1, { status: index % 2 === 0 ? "pending" : "passing" }),
    );
    restore = withLayout();
    const started = performance.now();
    renderWithStore(<KanbanBoard />, storeWith({ features }));
    const elapsed = performance.now() - started;
    expect(screen.getByTestId("kanban-count-pending").textContent).toContain("1000");
    const rendered = within(column("pending")).queryAllByTestId(/^feature-card-/).length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(60);
    expect(elapsed).toBeLessThan(3_000);
  });

  it("says when the backlog is empty and when it is still loading", () => {
    const { unmount } = renderWithStore(<KanbanBoard />, storeWith({ features: [] }));
    expect(screen.getByText("No features yet")).toBeTruthy();
    unmount();
    // A store that has its snapshot but not the backlog yet.
    const loading = new ProjectStore("demo", { environment: idleEnvironment });
    loading.dispatch({ type: "events", events: [helloEvent({}, 0)] });
    renderWithStore(<KanbanBoard />, loading);
    expect(screen.getByText("Loading the backlog…")).toBeTruthy();
  });
});
