import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeRoute, fakeServer } from "../../test-support.ts";
import { handSpecTemplate, NewProjectWizard, nameProblem } from "./new-project-wizard.tsx";
import { providersAnswer, renderWithClient, settingsAnswer, summary } from "./projects-test-support.tsx";

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
  window.history.replaceState(null, "", "/");
});

const folder = (path: string, name: string, flags: { project?: boolean; autoforge?: boolean } = {}) => ({
  name,
  path: `${path}/${name}`,
  kind: "directory" as const,
  isProject: flags.project ?? false,
  isAutoforgeProject: flags.autoforge ?? false,
});

const listings: Record<string, object> = {
  "/home/u": {
    path: "/home/u",
    parent: null,
    entries: [folder("/home/u", "code"), folder("/home/u", "notes")],
  },
  "/home/u/code": {
    path: "/home/u/code",
    parent: "/home/u",
    entries: [
      folder("/home/u/code", "old-forge", { autoforge: true }),
      folder("/home/u/code", "shop", { project: true }),
    ],
  },
};

const run = {
  active: true,
  status: "starting",
  paused: false,
  startedAt: "2026-12-03T12:00:00.000Z",
  maxConcurrency: 2,
  provider: "replay",
  lastResult: null,
};

function serve(extra: FakeRoute[] = []) {
  const server = fakeServer([
    ...extra,
    { method: "GET", path: "/api/projects", body: { projects: [summary("shop")] } },
    { method: "GET", path: "/api/fs/list", body: listings["/home/u"] },
    {
      method: "GET",
      path: /^\/api\/fs\/list\?path=/,
      body: ({ url }: { url: string }) => {
        const path = decodeURIComponent(url.slice("/api/fs/list?path=".length));
        return listings[path] ?? { path, parent: "/home/u", entries: [] };
      },
    },
    {
      method: "POST",
      path: "/api/projects",
      status: 201,
      body: ({ body }: { body: unknown }) => {
        const request = body as { name: string; path: string; spec?: string; importAutoforge?: boolean };
        return {
          project: summary(request.name, { path: request.path, hasSpec: request.spec !== undefined }),
          created: true,
          ...(request.importAutoforge === true ? { imported: 12 } : {}),
        };
      },
    },
    { method: "GET", path: "/api/settings", body: settingsAnswer({ provider: "claude", maxConcurrency: 2 }) },
    { method: "GET", path: "/api/providers", body: providersAnswer([]) },
    { method: "POST", path: /\/run\/start$/, status: 202, body: run },
  ]);
  restore = server.restore;
  return server;
}

async function fillName(user: ReturnType<typeof userEvent.setup>, name: string) {
  const field = screen.getByLabelText("Project name");
  await user.clear(field);
  await user.type(field, name);
}

describe("nameProblem", () => {
  it.each([
    ["", "Give the project a name."],
    ["my app", "A project name is 1 to 50 letters, digits, '_' or '-'"],
    ["x".repeat(51), "A project name is 1 to 50 letters, digits, '_' or '-'"],
    ["shop", "A project named shop already exists: choose another name."],
    ["my-app_2", undefined],
  ])("%j → %j", (name, problem) => {
    expect(nameProblem(name, ["shop"])).toBe(problem);
  });
});

describe("NewProjectWizard", () => {
  it("validates the name inline and only goes on with a valid one", async () => {
    serve();
    const user = userEvent.setup();
    renderWithClient(<NewProjectWizard />);
    await fillName(user, "my app!");
    expect(screen.getByRole("alert").textContent).toBe(
      "A project name is 1 to 50 letters, digits, '_' or '-'",
    );
    await user.click(screen.getByRole("button", { name: /Next: the folder/ }));
    expect(screen.queryByTestId("folder-browser"), "an invalid name stays on the first step").toBeNull();

    await waitFor(() => expect(screen.getByLabelText("Project name")).toBeDefined());
    await fillName(user, "shop");
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("already exists"));

    await fillName(user, "my-app");
    expect(screen.queryByRole("alert")).toBeNull();
    await user.click(screen.getByRole("button", { name: /Next: the folder/ }));
    expect(await screen.findByTestId("folder-browser")).toBeDefined();
  });

  it("browses folders with the server's listing: into a folder, the breadcrumbs, the parent, and Use", async () => {
    const server = serve();
    const user = userEvent.setup();
    renderWithClient(<NewProjectWizard />);
    await fillName(user, "my-app");
    await user.click(screen.getByRole("button", { name: /Next: the folder/ }));
    const path = () => (screen.getByLabelText("Project folder") as HTMLInputElement).value;
    await waitFor(() => expect(path()).toBe("/home/u/my-app"));
    expect(screen.getByRole("button", { name: "Parent folder" })).toHaveProperty("disabled", true);

    await user.click(screen.getByRole("button", { name: "Open code" }));
    await waitFor(() => expect(path()).toBe("/home/u/code/my-app"));
    expect(server.calls.map((call) => call.url)).toContain("/api/fs/list?path=%2Fhome%2Fu%2Fcode");
    const list = screen.getByRole("list", { name: "Folders in /home/u/code" });
    expect(within(list).getByText("AutoForge project")).toBeDefined();
    expect(within(list).getByText("autowright project")).toBeDefined();
    const crumbs = screen.getByRole("navigation", { name: "Folder path" });
    expect(within(crumbs).getByText("code").getAttribute("aria-current")).toBe("location");

    await user.click(within(crumbs).getByRole("button", { name: "u" }));
    await waitFor(() => expect(path()).toBe("/home/u/my-app"));
    await user.click(screen.getByRole("button", { name: "Open code" }));
    await waitFor(() => expect(path()).toBe("/home/u/code/my-app"));
    await user.click(screen.getByRole("button", { name: "Parent folder" }));
    await waitFor(() => expect(path()).toBe("/home/u/my-app"));

    await user.click(screen.getByRole("button", { name: "Open code" }));
    await user.click(await screen.findByRole("button", { name: "Use old-forge as the project folder" }));
    expect(path()).toBe("/home/u/code/old-forge");
    await user.click(screen.getByRole("button", { name: /Next: the spec/ }));
    // The chosen folder is an AutoForge project: importing it is offered and chosen.
    const importChoice = await screen.findByRole("radio", { name: /Import from AutoForge/ });
    await waitFor(() => expect(importChoice).toHaveProperty("checked", true));
    await user.click(screen.getByRole("button", { name: "Import the project" }));
    expect(await screen.findByText(/12 features imported/)).toBeDefined();
    expect(server.calls.find((call) => call.method === "POST")?.body).toEqual({
      name: "my-app",
      path: "/home/u/code/old-forge",
      importAutoforge: true,
    });
  });

  it("shows a folder the server refuses to list, and goes back home", async () => {
    serve([
      {
        method: "GET",
        path: "/api/fs/list?path=%2Fhome%2Fu%2Fnotes",
        status: 400,
        body: {
          error: {
            code: "path_outside_project",
            message: "/etc is outside the folders autowright may use (/home/u, /tmp)",
          },
        },
      },
    ]);
    const user = userEvent.setup();
    renderWithClient(<NewProjectWizard />);
    await fillName(user, "my-app");
    await user.click(screen.getByRole("button", { name: /Next: the folder/ }));
    await user.click(await screen.findByRole("button", { name: "Open notes" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("outside the folders autowright may use");
    await user.click(within(alert).getByRole("button", { name: "Back to the home folder" }));
    expect(await screen.findByRole("button", { name: "Open code" })).toBeDefined();
  });

  it("shows the server's project_exists refusal and leads back to the name", async () => {
    serve([
      {
        method: "POST",
        path: "/api/projects",
        status: 409,
        body: {
          error: {
            code: "project_exists",
            message: "/home/u/my-app is already registered as project other",
          },
        },
      },
    ]);
    const user = userEvent.setup();
    renderWithClient(<NewProjectWizard />);
    await fillName(user, "my-app");
    await user.click(screen.getByRole("button", { name: /Next: the folder/ }));
    await waitFor(() =>
      expect(screen.getByLabelText("Project folder")).toHaveProperty("value", "/home/u/my-app"),
    );
    await user.click(screen.getByRole("button", { name: /Next: the spec/ }));
    await user.click(await screen.findByRole("radio", { name: /By hand/ }));
    await user.click(screen.getByRole("button", { name: /Create project/ }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("/home/u/my-app is already registered as project other");
    await user.click(within(alert).getByRole("button", { name: "Change the name" }));
    expect(screen.getByLabelText("Project name")).toHaveProperty("value", "my-app");
  });

  it("creates the project with the spec written by hand, then starts a replay run and opens the project", async () => {
    const server = serve();
    const user = userEvent.setup();
    renderWithClient(<NewProjectWizard />);
    await fillName(user, "my-app");
    await user.click(screen.getByRole("button", { name: /Next: the folder/ }));
    await waitFor(() =>
      expect(screen.getByLabelText("Project folder")).toHaveProperty("value", "/home/u/my-app"),
    );
    await user.click(screen.getByRole("button", { name: /Next: the spec/ }));
    await user.click(await screen.findByRole("radio", { name: /By hand/ }));
    const editor = screen.getByLabelText("App spec (markdown)") as HTMLTextAreaElement;
    expect(editor.value).toBe(handSpecTemplate);
    await user.clear(editor);
    await user.type(editor, "# Shop\n\n- Cart\n- Checkout");
    await user.click(screen.getByRole("button", { name: /Create project/ }));

    expect(await screen.findByRole("heading", { name: "my-app is ready" })).toBeDefined();
    const create = server.calls.find((call) => call.method === "POST" && call.url === "/api/projects");
    expect(create?.body).toEqual({
      name: "my-app",
      path: "/home/u/my-app",
      spec: "# Shop\n\n- Cart\n- Checkout",
    });

    const model = screen.getByLabelText("Model") as HTMLSelectElement;
    await waitFor(() => expect(model.value).toBe("claude"));
    expect(within(model).getByRole("option", { name: "Claude (Claude Code) (configured)" })).toBeDefined();
    await user.selectOptions(model, "replay");
    await user.click(screen.getByRole("button", { name: /Start building/ }));
    await waitFor(() => expect(window.location.pathname).toBe("/projects/my-app"));
    const start = server.calls.find((call) => call.url === "/api/projects/my-app/run/start");
    expect(start?.body).toEqual({ provider: "replay", concurrency: 2, yolo: false, replayLatencyMs: 1200 });
  });

  it("shows why the run could not start", async () => {
    serve([
      {
        method: "POST",
        path: /\/run\/start$/,
        status: 400,
        body: { error: { code: "invalid_input", message: "the project has no spec and no features" } },
      },
    ]);
    const user = userEvent.setup();
    renderWithClient(<NewProjectWizard />);
    await fillName(user, "my-app");
    await user.click(screen.getByRole("button", { name: /Next: the folder/ }));
    await waitFor(() =>
      expect(screen.getByLabelText("Project folder")).toHaveProperty("value", "/home/u/my-app"),
    );
    await user.click(screen.getByRole("button", { name: /Next: the spec/ }));
    await user.click(await screen.findByRole("radio", { name: /By hand/ }));
    await user.click(screen.getByRole("button", { name: /Create project/ }));
    await user.click(await screen.findByRole("button", { name: /Start building/ }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "the project has no spec and no features",
    );
    expect(window.location.pathname).toBe("/");
  });
});
