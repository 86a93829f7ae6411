import type { Feature, SessionRecord } from "@autowright/protocol";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeServer, makeFeature, storeWith } from "../../test-support.ts";
import { renderWithStore } from "../kanban/board-test-support.tsx";
import { FeatureDialog } from "./feature-dialog.tsx";

/** What the fake server passes a route's answer function. */
type FakeRequest = { url: string; body: unknown };

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

const later = "2026-12-03T12:30:00.000Z";

function open(featureId: number, features: Feature[], onClose: () => void = () => {}) {
  const store = storeWith({ features });
  renderWithStore(<FeatureDialog featureId={featureId} onClose={onClose} />, store);
  return store;
}

describe("the feature detail", () => {
  it("shows the feature: status, priority, attempts, last error, description and steps", () => {
    open(1, [
      makeFeature(1, {
        name: "Cart",
        status: "failed",
        attempts: 3,
        priority: 4,
        lastError: "the checks failed on the merged main branch",
        description: "Add items to a cart.",
        steps: ["Add an item", "See the total"],
      }),
    ]);
    const dialog = screen.getByRole("dialog", { name: "#1 Cart" });
    expect(within(dialog).getByTestId("feature-status").textContent).toBe("failed");
    expect(within(dialog).getByText("Attempts").textContent).toContain("3");
    expect(within(dialog).getByTestId("last-error").textContent).toContain("the checks failed");
    expect(within(dialog).getByText("Add items to a cart.")).toBeTruthy();
    expect(within(dialog).getByText("See the total")).toBeTruthy();
  });

  it("lists the evidence with its exit codes, commands and output", async () => {
    open(1, [
      makeFeature(1, {
        status: "passing",
        evidence: [
          {
            kind: "check",
            command: "npm test",
            exitCode: 0,
            outputTail: "# pass 12",
            durationMs: 2_400,
            sessionId: "session-a",
            at: "2026-12-03T12:01:00.000Z",
          },
          {
            kind: "check",
            command: "npm run lint",
            exitCode: 2,
            outputTail: "src/cart.js: 1 error",
            at: "2026-12-03T12:02:00.000Z",
          },
          { kind: "check", command: "npm run e2e", exitCode: null, at: "2026-12-03T12:03:00.000Z" },
          { kind: "merge", note: `merged as ${"a".repeat(40)}`, at: "2026-12-03T12:04:00.000Z" },
        ],
      }),
    ]);
    await userEvent.click(screen.getByRole("tab", { name: "Evidence (4)" }));
    const entries = screen.getAllByTestId("evidence");
    // Newest first.
    expect(entries[0]?.textContent).toContain(`merged as ${"a".repeat(40)}`);
    expect(within(entries[1] as HTMLElement).getByText("no exit code")).toBeTruthy();
    const lint = entries[2] as HTMLElement;
    expect(within(lint).getByText("npm run lint")).toBeTruthy();
    expect(within(lint).getByText("exit 2").closest("span")?.className).toContain("text-status-failed");
    expect(within(lint).getByText("src/cart.js: 1 error")).toBeTruthy();
    const test = entries[3] as HTMLElement;
    expect(within(test).getByText("exit 0").closest("span")?.className).toContain("text-status-done");
    expect(within(test).getByText("# pass 12")).toBeTruthy();
    expect(within(test).getByText("2.4 s")).toBeTruthy();
    expect(within(test).getByText("session-a")).toBeTruthy();
  });

  it("explains a refused dependency change and leaves the dependencies as they were", async () => {
    const server = fakeServer([
      {
        method: "PUT",
        path: "/api/projects/demo/features/1/dependencies",
        status: 400,
        body: {
          error: {
            code: "dependency_cycle",
            message:
              "the dependency change was rejected, nothing was changed: dependencies would form a cycle: 1 → 2 → 1",
            details: {
              violations: [
                { featureId: 1, dependencyId: 2, code: "dependency_cycle", message: "…", cycle: [1, 2] },
              ],
            },
          },
        },
      },
    ]);
    restore = server.restore;
    open(1, [makeFeature(1, { name: "Cart" }), makeFeature(2, { name: "Checkout", dependencies: [1] })]);
    expect(screen.getByText("No dependencies: it can start at once.")).toBeTruthy();
    expect(screen.getByText("Needed by")).toBeTruthy();
    await userEvent.type(screen.getByLabelText("Add a dependency"), "Checkout");
    await userEvent.click(screen.getByRole("button", { name: /Add dependency Checkout/ }));
    const refusal = await screen.findByTestId("dependency-refusal");
    expect(refusal.textContent).toContain("#1 → #2 → #1 would be a cycle");
    expect(refusal.textContent).toContain("nothing was changed");
    expect(server.calls).toEqual([
      { method: "PUT", url: "/api/projects/demo/features/1/dependencies", body: { dependencyIds: [2] } },
    ]);
    expect(screen.getByText("No dependencies: it can start at once.")).toBeTruthy();
    expect(screen.queryByRole("list", { name: "Dependencies" })).toBeNull();
  });

  it("saves a dependency change and shows what blocks the feature", async () => {
    const features = [
      makeFeature(1),
      makeFeature(2, { name: "Payments" }),
      makeFeature(3, { status: "passing" }),
    ];
    const server = fakeServer([
      {
        method: "PUT",
        path: "/api/projects/demo/features/1/dependencies",
        body: ({ body }: FakeRequest) => ({
          feature: {
            ...features[0],
            dependencies: (body as { dependencyIds: number[] }).dependencyIds,
            updatedAt: later,
          },
        }),
      },
    ]);
    restore = server.restore;
    open(1, features);
    await userEvent.type(screen.getByLabelText("Add a dependency"), "#2");
    await userEvent.keyboard("{Enter}");
    const chips = await screen.findByRole("list", { name: "Dependencies" });
    expect(within(chips).getByText("Payments")).toBeTruthy();
    const blocking = screen.getByRole("list", { name: "Blocking dependencies" });
    expect(within(blocking).getByText("Payments")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Remove dependency #2" }));
    await waitFor(() => expect(server.calls.at(-1)?.body).toEqual({ dependencyIds: [] }));
    await waitFor(() => expect(screen.queryByRole("list", { name: "Dependencies" })).toBeNull());
  });

  it("generates the human-input form, enforces the required answers and sends them", async () => {
    const asked = makeFeature(1, {
      status: "needs_input",
      humanInput: {
        request: {
          prompt: "Which payment provider should checkout use?",
          fields: [
            {
              id: "provider",
              label: "Provider",
              type: "select",
              required: true,
              options: [
                { value: "stripe", label: "Stripe" },
                { value: "paypal", label: "PayPal" },
              ],
            },
            { id: "account", label: "Account id", type: "text", required: true },
            { id: "notes", label: "Notes", type: "textarea", required: false },
            { id: "sandbox", label: "Use the sandbox?", type: "boolean", required: true },
          ],
        },
        response: null,
      },
    });
    const server = fakeServer([
      {
        method: "POST",
        path: "/api/projects/demo/features/1/human-input",
        body: ({ body }: FakeRequest) => ({
          feature: {
            ...asked,
            status: "pending",
            updatedAt: later,
            humanInput: {
              request: asked.humanInput?.request,
              response: { fields: (body as { fields: object }).fields, respondedAt: later },
            },
          },
        }),
      },
    ]);
    restore = server.restore;
    open(1, [asked]);
    const form = screen.getByTestId("human-input");
    expect(within(form).getByText("Which payment provider should checkout use?")).toBeTruthy();
    await userEvent.click(within(form).getByRole("button", { name: "Send answer" }));
    expect(within(form).getAllByText("This answer is required.")).toHaveLength(3);
    expect(server.calls).toHaveLength(0);

    await userEvent.selectOptions(within(form).getByRole("combobox", { name: "Provider" }), "stripe");
    await userEvent.type(within(form).getByRole("textbox", { name: "Account id" }), "  acct_123 ");
    await userEvent.click(within(form).getByRole("radio", { name: "No" }));
    expect(within(form).queryByText("This answer is required.")).toBeNull();
    await userEvent.click(within(form).getByRole("button", { name: "Send answer" }));
    await waitFor(() => expect(server.calls).toHaveLength(1));
    expect(server.calls[0]?.body).toEqual({
      fields: { provider: "stripe", account: "acct_123", sandbox: false },
    });
    const answered = await screen.findByText("The agent's question, answered");
    const section = answered.closest("section") as HTMLElement;
    expect(within(section).getByText("Stripe")).toBeTruthy();
    expect(within(section).getByText("acct_123")).toBeTruthy();
    expect(within(section).getByText("No")).toBeTruthy();
    expect(screen.getByTestId("feature-status").textContent).toBe("pending");
  });

  it("shows the server's refusal of an answer in the form", async () => {
    const server = fakeServer([
      {
        method: "POST",
        path: "/api/projects/demo/features/1/human-input",
        status: 409,
        body: {
          error: {
            code: "invalid_transition",
            message: "feature 1 is pending: no question waits for an answer",
          },
        },
      },
    ]);
    restore = server.restore;
    open(1, [
      makeFeature(1, {
        status: "needs_input",
        humanInput: {
          request: {
            prompt: "Which?",
            fields: [{ id: "answer", label: "Answer", type: "text", required: true }],
          },
          response: null,
        },
      }),
    ]);
    await userEvent.type(screen.getByRole("textbox", { name: "Answer" }), "this one");
    await userEvent.click(screen.getByRole("button", { name: "Send answer" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("no question waits for an answer");
  });

  it("says a feature that does not exist does not exist", async () => {
    const server = fakeServer([
      {
        method: "GET",
        path: "/api/projects/demo/features/99",
        status: 404,
        body: { error: { code: "feature_not_found", message: "feature 99 does not exist" } },
      },
    ]);
    restore = server.restore;
    const onClose = vi.fn();
    open(99, [makeFeature(1)], onClose);
    expect(await screen.findByRole("dialog", { name: "Feature #99 does not exist" })).toBeTruthy();
    await userEvent.click(screen.getAllByRole("button", { name: "Close" })[1] as HTMLElement);
    expect(onClose).toHaveBeenCalled();
  });

  it("loads a feature the store does not have yet, then follows the store", async () => {
    const server = fakeServer([
      {
        method: "GET",
        path: "/api/projects/demo/features/7",
        body: { feature: makeFeature(7, { name: "Late arrival" }) },
      },
    ]);
    restore = server.restore;
    const store = open(7, [makeFeature(1)]);
    expect(await screen.findByRole("dialog", { name: "#7 Late arrival" })).toBeTruthy();
    expect(store.view.features.get(7)?.name).toBe("Late arrival");
  });

  it("shows the merged commit's files and coloured diff", async () => {
    const patch = [
      "diff --git a/src/cart.js b/src/cart.js",
      "index 111..222 100644",
      "--- a/src/cart.js",
      "+++ b/src/cart.js",
      "@@ -1,2 +1,2 @@",
      " export const cart = [];",
      "-export const total = 0;",
      "+export const total = () => cart.length;",
      "",
    ].join("\n");
    const server = fakeServer([
      {
        method: "GET",
        path: "/api/projects/demo/features/1/diff",
        body: {
          commit: "b".repeat(40),
          subject: "autowright: merge feature #1",
          files: [{ path: "src/cart.js", additions: 1, deletions: 1 }],
          patch,
          truncated: false,
        },
      },
    ]);
    restore = server.restore;
    open(1, [
      makeFeature(1, {
        status: "passing",
        evidence: [{ kind: "merge", note: `merged as ${"b".repeat(40)}`, at: later }],
      }),
    ]);
    await userEvent.click(screen.getByRole("tab", { name: "Commit & diff" }));
    expect(await screen.findByText("autowright: merge feature #1")).toBeTruthy();
    expect(screen.getByText("bbbbbbbbbb")).toBeTruthy();
    const lines = screen.getByTestId("diff-lines");
    const added = within(lines).getByText("+export const total = () => cart.length;");
    expect(added.dataset["line"]).toBe("added");
    expect(added.className).toContain("diff-added-text");
    expect(within(lines).getByText("-export const total = 0;").dataset["line"]).toBe("removed");
    // Collapsible per file.
    await userEvent.click(screen.getByRole("button", { name: /src\/cart\.js/ }));
    expect(screen.queryByTestId("diff-lines")).toBeNull();
  });

  it("says when a feature has not been merged", async () => {
    const server = fakeServer([
      {
        method: "GET",
        path: "/api/projects/demo/features/1/diff",
        body: { commit: null, subject: null, files: [], patch: "", truncated: false },
      },
    ]);
    restore = server.restore;
    open(1, [makeFeature(1)]);
    await userEvent.click(screen.getByRole("tab", { name: "Commit & diff" }));
    expect(await screen.findByText("Not merged yet")).toBeTruthy();
  });

  it("lists the feature's sessions and pages through a session's log", async () => {
    const session = (
      id: string,
      featureIds: number[],
      fields: Partial<SessionRecord> = {},
    ): SessionRecord => ({
      id,
      role: "coding",
      featureIds,
      model: "claude-sonnet",
      provider: "anthropic",
      startedAt: "2026-12-03T12:00:00.000Z",
      endedAt: "2026-12-03T12:02:05.000Z",
      outcome: "passed",
      summary: null,
      usage: { inputTokens: 12_300, outputTokens: 800, costUsd: 0.42 },
      ...fields,
    });
    const server = fakeServer([
      {
        method: "GET",
        path: "/api/projects/demo/sessions",
        body: {
          sessions: [
            session("s-2", [1], {
              outcome: "failed",
              usage: { inputTokens: 5, outputTokens: 1, costUsd: null },
            }),
            session("s-other", [2]),
            session("s-1", [1, 3]),
          ],
        },
      },
      {
        method: "GET",
        path: "/api/projects/demo/sessions/s-1",
        body: {
          session: session("s-1", [1, 3]),
          log: {
            lines: [{ at: "2026-12-03T12:00:01.000Z", level: "info", line: "reading the spec" }],
            nextOffset: 100,
            size: 200,
            truncated: false,
          },
        },
      },
      {
        method: "GET",
        path: "/api/projects/demo/sessions/s-1/log?offset=100",
        body: {
          lines: [{ at: "2026-12-03T12:00:02.000Z", level: "error", line: "npm test failed" }],
          nextOffset: 200,
          size: 200,
          truncated: false,
        },
      },
    ]);
    restore = server.restore;
    open(1, [makeFeature(1)]);
    await userEvent.click(screen.getByRole("tab", { name: "Sessions" }));
    const first = await screen.findByTestId("session-s-1");
    expect(screen.getByTestId("session-s-2").textContent).toContain("failed");
    expect(screen.queryByTestId("session-s-other")).toBeNull();
    expect(first.textContent).toContain("12k / 800");
    expect(first.textContent).toContain("$0.42");
    expect(first.textContent).toContain("2m 05s");
    await userEvent.click(within(first).getByRole("button", { name: "View the log of session s-1" }));
    expect(await screen.findByText("reading the spec")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("npm test failed")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Back" }));
    expect(await screen.findByTestId("session-s-1")).toBeTruthy();
  });

  it("edits the fields, sending only what changed", async () => {
    const feature = makeFeature(1, { name: "Cart", steps: ["Add an item"] });
    const server = fakeServer([
      {
        method: "PATCH",
        path: "/api/projects/demo/features/1",
        body: ({ body }: FakeRequest) => ({ feature: { ...feature, ...(body as object), updatedAt: later } }),
      },
    ]);
    restore = server.restore;
    open(1, [feature]);
    await userEvent.click(screen.getByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit feature #1" });
    const name = within(form).getByLabelText("Name");
    await userEvent.clear(name);
    await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(within(form).getByText("A feature needs a name.")).toBeTruthy();
    expect(server.calls).toHaveLength(0);
    await userEvent.type(name, "Shopping cart");
    await userEvent.click(within(form).getByRole("button", { name: "Add a step" }));
    await userEvent.type(within(form).getByLabelText("Step 2"), "Remove it again");
    await userEvent.click(within(form).getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(server.calls).toHaveLength(1));
    expect(server.calls[0]?.body).toEqual({
      name: "Shopping cart",
      steps: ["Add an item", "Remove it again"],
    });
    expect(await screen.findByRole("dialog", { name: "#1 Shopping cart" })).toBeTruthy();
    expect(screen.getByText("Remove it again")).toBeTruthy();
  });

  it("deletes after an inline confirmation, then closes; a refusal is shown", async () => {
    let status = 409;
    const server = fakeServer([
      {
        method: "DELETE",
        path: "/api/projects/demo/features/1",
        get status() {
          return status;
        },
        body: () =>
          status === 200 ? { ok: true } : { error: { code: "conflict", message: "feature 2 depends on it" } },
      },
    ]);
    restore = server.restore;
    const onClose = vi.fn();
    open(1, [makeFeature(1)], onClose);
    await userEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(server.calls).toHaveLength(0);
    await userEvent.click(screen.getByRole("button", { name: "Delete feature" }));
    expect((await screen.findByText(/Not deleted/)).textContent).toContain("feature 2 depends on it");
    expect(onClose).not.toHaveBeenCalled();
    status = 200;
    await userEvent.click(screen.getByRole("button", { name: "Delete feature" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(server.calls.map((call) => call.method)).toEqual(["DELETE", "DELETE"]);
  });

  it("skips a feature to the end of the queue, and tells when it cannot", async () => {
    const server = fakeServer([
      {
        method: "POST",
        path: "/api/projects/demo/features/1/skip",
        status: 409,
        body: {
          error: { code: "lease_held", message: "feature 1 is being worked on: stop its session first" },
        },
      },
    ]);
    restore = server.restore;
    open(1, [makeFeature(1, { status: "in_progress" })]);
    await userEvent.click(screen.getByRole("button", { name: "Skip" }));
    const dialog = screen.getByRole("dialog");
    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toContain("Not skipped: feature 1 is being worked on: stop its session first");
  });
});
