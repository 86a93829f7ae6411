import {
  providerSchema,
  providerTable,
  type SettingsPatchRequest,
  settingsSchema,
} from "@autowright/protocol";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeRoute, fakeServer } from "../../test-support.ts";
import { NoticeProvider, Notices } from "../../ui/notices.tsx";
import { SettingsView } from "./settings-view.tsx";

const storedKey = "sk-ant-api03-THE-STORED-SECRET";
let restore: (() => void) | undefined;

afterEach(() => {
  restore?.();
  restore = undefined;
  window.history.replaceState(null, "", "/");
});

const providers = {
  providers: providerSchema.options.map((id) => ({
    id,
    runtime: providerTable[id].runtime,
    ...(providerTable[id].wire === undefined ? {} : { wire: providerTable[id].wire }),
    defaultModels: { ...providerTable[id].defaultModels },
    credentialVariables: [...providerTable[id].credentialVariables],
    credentialsSet: id === "anthropic" || id === "replay",
    baseUrlVariable: providerTable[id].baseUrlVariable,
    priceSource: providerTable[id].priceSource,
  })),
};

/** A fake server with the settings of `fields`; PATCH answers `patchAnswer` (default: applies the patch). */
function serve(options: { patchAnswer?: FakeRoute; extra?: FakeRoute[] } = {}) {
  let settings = settingsSchema.parse({ provider: "anthropic", maxConcurrency: 3, concurrencyCap: 5 });
  const answer = () => ({
    settings,
    // The server never sends a value; a stray field must not reach the screen anyway.
    secrets: {
      ANTHROPIC_API_KEY: { set: true, value: storedKey },
      OPENAI_API_KEY: { set: false },
    },
  });
  const server = fakeServer([
    { method: "GET", path: "/api/settings", body: answer },
    { method: "GET", path: "/api/providers", body: providers },
    options.patchAnswer ?? {
      method: "PATCH",
      path: "/api/settings",
      body: ({ body }: { body: unknown }) => {
        const { secrets: _secrets, ...patch } = body as SettingsPatchRequest;
        settings = settingsSchema.parse({
          ...settings,
          ...patch,
          models: { ...settings.models, ...(patch.models ?? {}) },
        });
        return answer();
      },
    },
    ...(options.extra ?? []),
  ]);
  restore = server.restore;
  return server;
}

function renderSettings() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={queryClient}>
      <NoticeProvider>
        <SettingsView />
        <Notices />
      </NoticeProvider>
    </QueryClientProvider>,
  );
}

const section = (name: string) => screen.getByRole("region", { name: `${name} settings` });
const patches = (server: ReturnType<typeof serve>) =>
  server.calls.filter((call) => call.method === "PATCH").map((call) => call.body);

describe("SettingsView", () => {
  it("loads the settings into every section, with the provider's defaults as placeholders", async () => {
    serve();
    renderSettings();
    const providersSection = await screen.findByRole("region", { name: "Providers settings" });
    expect(within(providersSection).getByRole("combobox", { name: "Provider" })).toHaveProperty(
      "value",
      "anthropic",
    );
    await waitFor(() =>
      expect(
        within(providersSection).getByRole("textbox", { name: "Coding" }).getAttribute("placeholder"),
      ).toBe("claude-sonnet-4-5"),
    );
    const run = section("Run");
    expect(within(run).getByRole("spinbutton", { name: "Max concurrency" })).toHaveProperty("value", "3");
    expect(within(run).getByRole("spinbutton", { name: "Concurrency cap" })).toHaveProperty("value", "5");
    expect(
      within(within(run).getByRole("group", { name: "Testing agents" })).getByRole("radio", {
        name: "1",
        checked: true,
      }),
    ).toBeTruthy();
    expect(within(section("Notifications")).getByLabelText("Webhook URL")).toHaveProperty("value", "");
    expect(section("Appearance")).toBeTruthy();
    // Outside a project there are no prompts.
    expect(screen.queryByRole("region", { name: "Prompts settings" })).toBeNull();
    // Nothing changed, nothing to save.
    expect(within(run).getByRole("button", { name: "Save run" })).toHaveProperty("disabled", true);
  });

  it("shows a stored secret as set, never its value, and sends a new value or a removal only when asked", async () => {
    const server = serve();
    renderSettings();
    const providersSection = await screen.findByRole("region", { name: "Providers settings" });
    const secret = await within(providersSection).findByTestId("secret-ANTHROPIC_API_KEY");
    expect(secret.textContent).toContain("set");
    expect(document.body.innerHTML).not.toContain(storedKey);
    for (const input of document.querySelectorAll("input")) expect(input.value).not.toContain("sk-ant");

    await userEvent.click(within(secret).getByRole("button", { name: "Change ANTHROPIC_API_KEY" }));
    const field = within(secret).getByLabelText("ANTHROPIC_API_KEY");
    expect(field).toHaveProperty("value", "");
    expect(field.getAttribute("type")).toBe("password");
    await userEvent.type(field, "sk-ant-new");
    await userEvent.click(within(providersSection).getByRole("button", { name: "Save providers" }));
    await waitFor(() => expect(patches(server)).toEqual([{ secrets: { ANTHROPIC_API_KEY: "sk-ant-new" } }]));
    expect(await within(providersSection).findByRole("status")).toHaveProperty("textContent", "Saved");

    await userEvent.click(within(secret).getByRole("button", { name: "Remove ANTHROPIC_API_KEY" }));
    await userEvent.click(within(providersSection).getByRole("button", { name: "Save providers" }));
    await waitFor(() => expect(patches(server).at(-1)).toEqual({ secrets: { ANTHROPIC_API_KEY: null } }));
  });

  it("saves only the fields that changed, section by section", async () => {
    const server = serve();
    renderSettings();
    const run = await screen.findByRole("region", { name: "Run settings" });
    const concurrency = within(run).getByRole("spinbutton", { name: "Max concurrency" });
    await userEvent.clear(concurrency);
    await userEvent.type(concurrency, "4");
    await userEvent.click(
      within(within(run).getByRole("group", { name: "Testing agents" })).getByRole("radio", { name: "2" }),
    );
    await userEvent.type(within(run).getByRole("spinbutton", { name: "Max cost" }), "12.5");
    await userEvent.click(within(run).getByRole("button", { name: "Save run" }));
    await waitFor(() => expect(patches(server)).toHaveLength(1));
    const [first] = patches(server);
    expect(first).toEqual({ maxConcurrency: 4, testingAgentRatio: 2, maxCostUsd: 12.5 });
    expect(await screen.findByText("Run settings saved")).toBeTruthy();

    const providersSection = section("Providers");
    await userEvent.type(within(providersSection).getByRole("textbox", { name: "Coding" }), "claude-opus-4");
    await userEvent.click(within(providersSection).getByRole("button", { name: "Save providers" }));
    await waitFor(() => expect(patches(server).at(-1)).toEqual({ models: { coding: "claude-opus-4" } }));
  });

  it("refuses a value out of range before sending it, next to its field", async () => {
    const server = serve();
    renderSettings();
    const run = await screen.findByRole("region", { name: "Run settings" });
    const concurrency = within(run).getByRole("spinbutton", { name: "Max concurrency" });
    await userEvent.clear(concurrency);
    await userEvent.type(concurrency, "9");
    await userEvent.click(within(run).getByRole("button", { name: "Save run" }));
    expect(within(run).getByRole("alert").textContent).toBe("at most the concurrency cap (5)");
    expect(patches(server)).toEqual([]);
  });

  it("shows the server's invalid_input by field when it names one, else as the section's notice", async () => {
    serve({
      patchAnswer: {
        method: "PATCH",
        path: "/api/settings",
        status: 400,
        body: ({ body }: { body: unknown }) =>
          "notificationsWebhookUrl" in (body as object)
            ? {
                error: {
                  code: "invalid_input",
                  message: "body.notificationsWebhookUrl: the host does not resolve",
                  details: {
                    issues: [{ path: "body.notificationsWebhookUrl", message: "the host does not resolve" }],
                  },
                },
              }
            : {
                error: {
                  code: "invalid_input",
                  message: "invalid settings: maxConcurrency cannot exceed concurrencyCap",
                },
              },
      },
    });
    renderSettings();
    const notifications = await screen.findByRole("region", { name: "Notifications settings" });
    await userEvent.type(within(notifications).getByLabelText("Webhook URL"), "https://nowhere.invalid/hook");
    await userEvent.click(within(notifications).getByRole("button", { name: "Save notifications" }));
    const fieldError = await within(notifications).findByRole("alert");
    expect(fieldError.textContent).toBe("the host does not resolve");
    expect(within(notifications).getByLabelText("Webhook URL").getAttribute("aria-invalid")).toBe("true");

    const run = section("Run");
    await userEvent.click(within(run).getByRole("switch", { name: "YOLO mode" }));
    await userEvent.click(within(run).getByRole("button", { name: "Save run" }));
    const notice = await within(run).findByRole("alert");
    expect(notice.textContent).toContain("maxConcurrency cannot exceed concurrencyCap");
    expect(await screen.findByText("Run settings could not be saved")).toBeTruthy();
  });

  it("edits a project's prompts inside a project, sending only the changed file", async () => {
    window.history.replaceState(null, "", "/projects/demo/settings");
    const server = serve({
      extra: [
        {
          method: "GET",
          path: "/api/projects/demo/prompts",
          body: { prompts: { "app-spec": "# Spec", coding: "Code well." } },
        },
        {
          method: "PUT",
          path: "/api/projects/demo/prompts",
          body: ({ body }: { body: unknown }) => ({
            prompts: { "app-spec": "# Spec", ...(body as { prompts: Record<string, string> }).prompts },
          }),
        },
      ],
    });
    renderSettings();
    const prompts = await screen.findByRole("region", { name: "Prompts settings" });
    await userEvent.click(await within(prompts).findByRole("button", { name: "Coding agent" }));
    const editor = within(prompts).getByRole("textbox", { name: "Coding agent prompt" });
    expect(editor).toHaveProperty("value", "Code well.");
    await userEvent.type(editor, " Test first.");
    await userEvent.click(within(prompts).getByRole("button", { name: "Save prompts" }));
    await waitFor(() =>
      expect(server.calls.find((call) => call.method === "PUT")?.body).toEqual({
        prompts: { coding: "Code well. Test first." },
      }),
    );
    expect(await screen.findByText("Prompts saved")).toBeTruthy();
  });
});
