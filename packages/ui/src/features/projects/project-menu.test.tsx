import type { RunStatus } from "@autowright/protocol";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { ProjectStoreProvider } from "../../state/project-context.tsx";
import { type FakeRoute, fakeServer, helloEvent, storeWith } from "../../test-support.ts";
import { ProjectMenu } from "./project-menu.tsx";
import { renderWithClient, summary } from "./projects-test-support.tsx";

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
  window.history.replaceState(null, "", "/");
});

const stoppedRun = {
  active: false,
  status: "stopped",
  paused: false,
  startedAt: null,
  maxConcurrency: 3,
  provider: null,
  lastResult: null,
};

function serve(routes: FakeRoute[]) {
  const server = fakeServer([
    ...routes,
    { method: "GET", path: "/api/projects/demo", body: { project: summary("demo"), run: stoppedRun } },
    { method: "GET", path: "/api/projects", body: { projects: [summary("demo")] } },
  ]);
  restore = server.restore;
  return server;
}

function renderMenu(status: RunStatus = "stopped") {
  const store = storeWith({ events: [helloEvent({ run: { status } })] });
  return renderWithClient(
    <ProjectStoreProvider project="demo" store={store}>
      <ProjectMenu />
    </ProjectStoreProvider>,
  );
}

async function openDialog(user: ReturnType<typeof userEvent.setup>, item: RegExp) {
  await user.click(screen.getByRole("button", { name: "Project actions for demo" }));
  await user.click(await screen.findByRole("menuitem", { name: item }));
  return screen.findByRole("dialog");
}

describe("ProjectMenu", () => {
  it("shows the server's refusal of a reset in the dialog", async () => {
    const server = serve([
      {
        method: "POST",
        path: "/api/projects/demo/reset",
        status: 409,
        body: { error: { code: "conflict", message: "demo is running: stop its run before resetting it" } },
      },
    ]);
    const user = userEvent.setup();
    renderMenu();
    const dialog = await openDialog(user, /Reset project/);
    await user.click(within(dialog).getByRole("radio", { name: /Full reset/ }));
    await user.click(within(dialog).getByRole("button", { name: "Full reset" }));
    expect((await within(dialog).findByRole("alert")).textContent).toBe(
      "The reset was refused: demo is running: stop its run before resetting it",
    );
    expect(server.calls.find((call) => call.url === "/api/projects/demo/reset")?.body).toEqual({
      mode: "full",
    });
    expect(screen.getByRole("dialog"), "the dialog stays open on a refusal").toBeDefined();
  });

  it("says a run is active and does not offer the reset while one is", async () => {
    const server = serve([]);
    const user = userEvent.setup();
    renderMenu("running");
    const dialog = await openDialog(user, /Reset project/);
    expect(within(dialog).getByRole("alert").textContent).toBe(
      "A run is active: stop it before resetting the project.",
    );
    expect(within(dialog).getByRole("button", { name: "Quick reset" })).toHaveProperty("disabled", true);
    expect(within(dialog).getAllByText("the code and its git history")).toHaveLength(2);
    expect(server.calls.some((call) => call.method === "POST")).toBe(false);
  });

  it("resets quickly and says how many features were removed", async () => {
    serve([
      { method: "POST", path: "/api/projects/demo/reset", body: { removedFeatures: 4, mode: "quick" } },
    ]);
    const user = userEvent.setup();
    renderMenu();
    const dialog = await openDialog(user, /Reset project/);
    await user.click(within(dialog).getByRole("button", { name: "Quick reset" }));
    expect((await screen.findByText("4 features removed.")).textContent).toBeDefined();
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  it("deletes after confirming (the files stay) and goes home", async () => {
    window.history.replaceState(null, "", "/projects/demo");
    const server = serve([{ method: "DELETE", path: "/api/projects/demo", body: { ok: true } }]);
    const user = userEvent.setup();
    renderMenu();
    const dialog = await openDialog(user, /Delete project/);
    expect(dialog.textContent).toContain("its files stay");
    await waitFor(() => expect(dialog.textContent).toContain("/home/u/demo"));
    await user.click(within(dialog).getByRole("button", { name: "Delete project" }));
    await waitFor(() => expect(window.location.pathname).toBe("/"));
    expect(server.calls.some((call) => call.method === "DELETE" && call.url === "/api/projects/demo")).toBe(
      true,
    );
  });

  it("shows why a delete was refused", async () => {
    serve([
      {
        method: "DELETE",
        path: "/api/projects/demo",
        status: 409,
        body: { error: { code: "conflict", message: "demo is running: stop its run before removing it" } },
      },
    ]);
    const user = userEvent.setup();
    renderMenu();
    const dialog = await openDialog(user, /Delete project/);
    await user.click(within(dialog).getByRole("button", { name: "Delete project" }));
    expect((await within(dialog).findByRole("alert")).textContent).toContain(
      "demo is running: stop its run before removing it",
    );
  });
});
