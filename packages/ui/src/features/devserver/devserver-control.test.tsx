import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { ProjectStoreProvider } from "../../state/project-context.tsx";
import type { ProjectStore } from "../../state/project-store.ts";
import { durableEvent, ephemeralEvent, type FakeRoute, fakeServer, storeWith } from "../../test-support.ts";
import { NoticeProvider, Notices } from "../../ui/notices.tsx";
import { BrowserView } from "./browser-view.tsx";
import { DevServerControl } from "./devserver-control.tsx";

let server: ReturnType<typeof fakeServer> | undefined;
afterEach(() => server?.restore());

function wrap(store: ProjectStore, children: ReactNode) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <NoticeProvider>
        <ProjectStoreProvider project="demo" store={store}>
          {children}
        </ProjectStoreProvider>
        <Notices />
      </NoticeProvider>
    </QueryClientProvider>,
  );
}

const config = {
  command: null,
  detected: ["npm", "run", "dev"],
  detectedFrom: "package.json scripts.dev",
  effective: ["npm", "run", "dev"],
};

describe("DevServerControl", () => {
  it("shows the status the stream says, and the link to the running app", () => {
    server = fakeServer([]);
    const store = storeWith();
    wrap(store, <DevServerControl />);
    const control = screen.getByRole("group", { name: "Dev server" });
    expect(within(control).getByTestId("devserver-status").textContent).toBe("Stopped");
    expect(within(control).getByRole("button", { name: "Start the dev server" })).toBeTruthy();
    expect(within(control).queryByRole("link")).toBeNull();

    act(() =>
      store.dispatch({
        type: "events",
        events: [
          durableEvent(
            "devserver.updated",
            { status: "running", url: "http://127.0.0.1:5173/", port: 5173, command: "npm run dev" },
            1,
          ),
        ],
      }),
    );
    expect(within(control).getByTestId("devserver-status").textContent).toBe("Running");
    const link = within(control).getByRole("link", { name: /Open/ });
    expect(link.getAttribute("href")).toBe("http://127.0.0.1:5173/");
    expect(link.getAttribute("target")).toBe("_blank");
    expect(link.getAttribute("rel")).toBe("noreferrer");
    expect(within(control).getByRole("button", { name: "Stop the dev server" })).toBeTruthy();

    act(() =>
      store.dispatch({
        type: "events",
        events: [durableEvent("devserver.updated", { status: "crashed" }, 2)],
      }),
    );
    expect(within(control).getByTestId("devserver-status").textContent).toBe("Crashed");
    expect(within(control).getByRole("button", { name: "Restart the dev server" })).toBeTruthy();
  });

  it("tells a failed start with the server's message", async () => {
    const user = userEvent.setup();
    server = fakeServer([
      {
        method: "POST",
        path: "/api/projects/demo/devserver/start",
        status: 409,
        body: {
          error: { code: "conflict", message: "no dev command: set one in the dev server's settings" },
        },
      },
    ]);
    wrap(storeWith(), <DevServerControl />);
    await user.click(screen.getByRole("button", { name: "Start the dev server" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The dev server did not start");
    expect(alert.textContent).toContain("no dev command: set one in the dev server's settings");
    expect(server.calls.filter((call) => call.method === "POST")).toHaveLength(1);
  });

  it("saves a custom command and shows the server's refusal inline", async () => {
    const user = userEvent.setup();
    const routes: FakeRoute[] = [
      { method: "GET", path: "/api/projects/demo/devserver/config", body: config },
      { method: "GET", path: "/api/projects/demo/devserver", body: { status: "stopped", recentLog: [] } },
      {
        method: "PUT",
        path: "/api/projects/demo/devserver/config",
        body: ({ body }: { body: unknown }) => {
          const command = (body as { command: string | null }).command;
          return command === "bad | pipe"
            ? { ...config, command, commandError: "shell operators are not supported: |" }
            : { ...config, command, effective: command === null ? config.effective : command.split(" ") };
        },
      },
    ];
    server = fakeServer(routes);
    wrap(storeWith(), <DevServerControl />);
    await user.click(screen.getByRole("button", { name: "Dev server command" }));
    const dialog = await screen.findByRole("dialog");
    expect(await within(dialog).findAllByText("npm run dev", { selector: "code" })).toHaveLength(2);
    expect(within(dialog).getByText("from package.json scripts.dev")).toBeTruthy();

    const input = within(dialog).getByLabelText("Custom command");
    await user.type(input, "bad | pipe");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await within(dialog).findByText("shell operators are not supported: |")).toBeTruthy();
    expect(server.calls.find((call) => call.method === "PUT")?.body).toEqual({ command: "bad | pipe" });

    await user.clear(input);
    await user.type(input, "vite --port $PORT");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    expect(await screen.findByText("The dev command is saved")).toBeTruthy();
    expect(server.calls.filter((call) => call.method === "PUT").at(-1)?.body).toEqual({
      command: "vite --port $PORT",
    });
  });
});

describe("BrowserView", () => {
  it("watches the browser while mounted with the dev server running, and shows the latest picture", async () => {
    server = fakeServer([
      { method: "GET", path: "/api/projects/demo/devserver", body: { status: "stopped", recentLog: [] } },
    ]);
    const store = storeWith();
    const sent: unknown[] = [];
    store.send = (message) => {
      sent.push(message);
      return true;
    };
    const view = wrap(store, <BrowserView />);
    expect(sent).toEqual([]);
    expect(screen.getByText("Start the dev server to see the app")).toBeTruthy();

    act(() =>
      store.dispatch({
        type: "events",
        events: [durableEvent("devserver.updated", { status: "running", url: "http://127.0.0.1:5173/" }, 1)],
      }),
    );
    expect(screen.getByText("Waiting for the first picture…")).toBeTruthy();
    expect(sent).toEqual([{ type: "browser.subscribe" }]);

    act(() =>
      store.dispatch({
        type: "events",
        events: [
          ephemeralEvent("browser.screenshot", {
            url: "http://127.0.0.1:5173/",
            mimeType: "image/png",
            imageData: "iVBORw0KGgo=",
            width: 1280,
            height: 800,
          }),
        ],
      }),
    );
    const image = screen.getByRole("img", { name: /The app at http:\/\/127\.0\.0\.1:5173\/, as of/ });
    expect(image.getAttribute("src")).toBe("data:image/png;base64,iVBORw0KGgo=");

    view.unmount();
    expect(sent).toEqual([{ type: "browser.subscribe" }, { type: "browser.unsubscribe" }]);
    expect(store.view.screenshot).toBeUndefined();
  });
});
