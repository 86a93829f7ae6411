import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { fakeServer } from "../../test-support.ts";
import { firstRunDoneKey } from "../first-run/first-run.tsx";
import { HomeScreen } from "./home-screen.tsx";
import { providersAnswer, renderWithClient, settingsAnswer, summary } from "./projects-test-support.tsx";

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
  window.history.replaceState(null, "", "/");
});

const demoRun = {
  active: true,
  status: "running",
  paused: false,
  startedAt: "2026-12-03T12:00:00.000Z",
  maxConcurrency: 2,
  provider: "replay",
  lastResult: null,
};

function serve(options: { projects?: unknown[]; credentials?: string[] } = {}) {
  const server = fakeServer([
    { method: "GET", path: "/api/projects", body: { projects: options.projects ?? [] } },
    { method: "GET", path: "/api/providers", body: providersAnswer(options.credentials ?? []) },
    { method: "GET", path: "/api/settings", body: settingsAnswer() },
    {
      method: "POST",
      path: "/api/demo",
      status: 201,
      body: { project: summary("demo", { path: "/home/u/.autowright/demo" }), run: demoRun },
    },
  ]);
  restore = server.restore;
  return server;
}

describe("HomeScreen", () => {
  it("lists the projects with their path, spec and progress, and opens one", async () => {
    serve({
      credentials: ["claude"],
      projects: [
        summary("shop", { progress: { passing: 3, total: 6, inProgress: 1 } }),
        summary("blog", { hasSpec: false }),
        summary("gone", { problem: "no such folder: /home/u/gone" }),
      ],
    });
    const user = userEvent.setup();
    renderWithClient(<HomeScreen />);
    const shop = await screen.findByRole("link", { name: /shop/ });
    expect(shop.getAttribute("href")).toBe("/projects/shop");
    expect(within(shop).getByText("3/6 passing")).toBeDefined();
    expect(within(shop).getByText("· 1 in progress")).toBeDefined();
    expect(within(shop).getByText("/home/u/shop")).toBeDefined();
    const bar = within(shop).getByRole("progressbar", { name: "Progress of shop" });
    expect(bar.getAttribute("aria-valuenow")).toBe("3");
    expect(bar.getAttribute("aria-valuemax")).toBe("6");
    const blog = screen.getByRole("link", { name: /blog/ });
    expect(within(blog).getByText("No spec yet")).toBeDefined();
    expect(within(blog).getByText("no features yet")).toBeDefined();
    expect(within(screen.getByRole("link", { name: /gone/ })).getByText(/no such folder/)).toBeDefined();
    expect(screen.queryByTestId("first-run"), "credentials are set: no first run").toBeNull();

    await user.click(shop);
    expect(window.location.pathname).toBe("/projects/shop");
  });

  it("shows the empty state with New project when there are no projects", async () => {
    serve({ credentials: ["anthropic"] });
    const user = userEvent.setup();
    renderWithClient(<HomeScreen />);
    expect(await screen.findByText("No projects yet")).toBeDefined();
    await user.click(screen.getByRole("button", { name: "New project" }));
    expect(window.location.pathname).toBe("/new");
  });

  it("shows the first run when no provider has credentials, until it is skipped", async () => {
    serve();
    const user = userEvent.setup();
    renderWithClient(<HomeScreen />);
    const card = await screen.findByTestId("first-run");
    expect(within(card).getByRole("heading", { name: /Set up the model/ })).toBeDefined();
    await user.click(within(card).getByRole("button", { name: "Skip for now" }));
    expect(screen.queryByTestId("first-run")).toBeNull();
    expect(localStorage.getItem(firstRunDoneKey)).toBe("true");
  });

  it("does not show the first run once it was done in this browser", async () => {
    localStorage.setItem(firstRunDoneKey, "true");
    serve();
    renderWithClient(<HomeScreen />);
    expect(await screen.findByText("No projects yet")).toBeDefined();
    await waitFor(() => expect(screen.queryByText("Loading the projects")).toBeNull());
    expect(screen.queryByTestId("first-run")).toBeNull();
  });

  it("starts the demo with POST /api/demo and opens it", async () => {
    const server = serve({ credentials: ["claude"] });
    const user = userEvent.setup();
    renderWithClient(<HomeScreen />);
    await screen.findByText("No projects yet");
    await user.click(screen.getByRole("button", { name: "Try the demo" }));
    await waitFor(() => expect(window.location.pathname).toBe("/projects/demo"));
    expect(server.calls.filter((call) => call.method === "POST").map((call) => call.url)).toEqual([
      "/api/demo",
    ]);
  });

  it("says why the demo could not start", async () => {
    const server = fakeServer([
      { method: "GET", path: "/api/projects", body: { projects: [] } },
      { method: "GET", path: "/api/providers", body: providersAnswer(["claude"]) },
      {
        method: "POST",
        path: "/api/demo",
        status: 409,
        body: {
          error: {
            code: "project_exists",
            message: "a project named demo is already registered at /home/u/demo",
          },
        },
      },
    ]);
    restore = server.restore;
    const user = userEvent.setup();
    renderWithClient(<HomeScreen />);
    await screen.findByText("No projects yet");
    await user.click(screen.getByRole("button", { name: "Try the demo" }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "a project named demo is already registered at /home/u/demo",
    );
    expect(window.location.pathname).toBe("/");
  });

  it("says when the projects cannot be loaded", async () => {
    const server = fakeServer([
      {
        method: "GET",
        path: "/api/projects",
        status: 500,
        body: { error: { code: "internal_error", message: "the registry is locked" } },
      },
      { method: "GET", path: "/api/providers", body: providersAnswer(["claude"]) },
    ]);
    restore = server.restore;
    renderWithClient(<HomeScreen />);
    expect((await screen.findByRole("alert")).textContent).toContain("the registry is locked");
  });
});
