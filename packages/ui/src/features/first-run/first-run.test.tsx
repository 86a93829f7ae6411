import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { fakeServer } from "../../test-support.ts";
import { renderWithClient, settingsAnswer } from "../projects/projects-test-support.tsx";
import { FirstRun, firstRunDoneKey } from "./first-run.tsx";

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
  window.history.replaceState(null, "", "/");
});

function serve(testAnswer: object = { ok: true, message: "fine", latencyMs: 5 }) {
  const server = fakeServer([
    { method: "GET", path: "/api/settings", body: settingsAnswer() },
    { method: "POST", path: "/api/providers/test", body: testAnswer },
    {
      method: "PATCH",
      path: "/api/settings",
      body: () => settingsAnswer({ provider: "anthropic" }, ["ANTHROPIC_API_KEY"]),
    },
  ]);
  restore = server.restore;
  return server;
}

describe("FirstRun", () => {
  it("fills the Ollama preset: its base URL and a model, and no key field", async () => {
    serve();
    const user = userEvent.setup();
    renderWithClient(<FirstRun onDone={() => {}} />);
    await user.click(screen.getByRole("radio", { name: /Ollama/ }));
    expect(screen.getByLabelText("Base URL")).toHaveProperty("value", "http://127.0.0.1:11434/v1");
    expect(screen.getByLabelText("Model")).toHaveProperty("value", "qwen2.5-coder");
    expect(screen.queryByLabelText(/^API key/)).toBeNull();
  });

  it("tests the connection with what was entered and shows the server's failure message and latency", async () => {
    const server = serve({
      ok: false,
      message: "The key was refused (HTTP 401): invalid x-api-key.",
      latencyMs: 87,
    });
    const user = userEvent.setup();
    renderWithClient(<FirstRun onDone={() => {}} />);
    await user.click(screen.getByRole("radio", { name: /^Anthropic API key/ }));
    await user.type(screen.getByLabelText("API key"), "sk-ant-wrong");
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    const result = await screen.findByTestId("provider-test-result");
    expect(result.textContent).toContain("Connection failed");
    expect(result.textContent).toContain("The key was refused (HTTP 401): invalid x-api-key.");
    expect(result.textContent).toContain("87 ms");
    const call = server.calls.find((entry) => entry.url === "/api/providers/test");
    expect(call?.body).toEqual({ provider: "anthropic", apiKey: "sk-ant-wrong" });
    expect(
      server.calls.some((entry) => entry.method === "PATCH"),
      "a test saves nothing",
    ).toBe(false);
  });

  it("refuses to save without the required fields, and says which", async () => {
    const server = serve();
    const user = userEvent.setup();
    renderWithClient(<FirstRun onDone={() => {}} />);
    await user.click(screen.getByRole("radio", { name: /OpenAI-compatible/ }));
    await user.type(screen.getByLabelText("Base URL"), "ftp://example.com");
    await user.click(screen.getByRole("button", { name: "Save and continue" }));
    expect(screen.getByText("A base URL is an absolute http:// or https:// URL.")).toBeDefined();
    expect(screen.getByText("Enter the model's name.")).toBeDefined();
    expect(server.calls.some((entry) => entry.method === "PATCH")).toBe(false);
  });

  it("saves the provider, base URL, models and key in one PATCH, then never shows the key again", async () => {
    const server = serve();
    const user = userEvent.setup();
    let done = 0;
    const { container } = renderWithClient(<FirstRun onDone={() => done++} />);
    await user.click(screen.getByRole("radio", { name: /Anthropic-compatible/ }));
    await user.type(screen.getByLabelText("Base URL"), "https://api.example.com/anthropic");
    await user.type(screen.getByLabelText("API key"), "sk-very-secret-123");
    await user.type(screen.getByLabelText("Model"), "glm-4.6");
    await user.click(screen.getByRole("button", { name: "Save and continue" }));
    await waitFor(() => expect(done).toBe(1));
    const patch = server.calls.find((entry) => entry.method === "PATCH");
    expect(patch?.body).toEqual({
      provider: "anthropic",
      baseUrl: "https://api.example.com/anthropic",
      models: { initializer: "glm-4.6", coding: "glm-4.6", testing: "glm-4.6", chat: "glm-4.6" },
      secrets: { ANTHROPIC_API_KEY: "sk-very-secret-123" },
    });
    expect(localStorage.getItem(firstRunDoneKey)).toBe("true");
    const keyField = screen.getByLabelText("API key") as HTMLInputElement;
    expect(keyField.value).toBe("");
    expect(keyField.type).toBe("password");
    expect(container.innerHTML).not.toContain("sk-very-secret-123");
    expect(document.body.innerHTML).not.toContain("sk-very-secret-123");
    expect(screen.getByText(/A key is saved \(ANTHROPIC_API_KEY\)/)).toBeDefined();
  });

  it("saves Claude with the claude login: no key, no base URL, default models", async () => {
    const server = serve();
    const user = userEvent.setup();
    renderWithClient(<FirstRun onDone={() => {}} />);
    expect(screen.getByText(/once in a terminal/)).toBeDefined();
    await user.click(screen.getByRole("button", { name: "Save and continue" }));
    await waitFor(() => expect(server.calls.some((entry) => entry.method === "PATCH")).toBe(true));
    expect(server.calls.find((entry) => entry.method === "PATCH")?.body).toEqual({
      provider: "claude",
      baseUrl: null,
      models: { initializer: null, coding: null, testing: null, chat: null },
    });
  });

  it("shows why saving failed", async () => {
    const server = fakeServer([
      { method: "GET", path: "/api/settings", body: settingsAnswer() },
      {
        method: "PATCH",
        path: "/api/settings",
        status: 400,
        body: { error: { code: "invalid_input", message: "baseUrl: Invalid URL" } },
      },
    ]);
    restore = server.restore;
    const user = userEvent.setup();
    let done = 0;
    renderWithClient(<FirstRun onDone={() => done++} />);
    await user.click(screen.getByRole("button", { name: "Save and continue" }));
    const form = screen.getByRole("form", { name: "Claude settings" });
    expect((await within(form).findByRole("alert")).textContent).toContain("baseUrl: Invalid URL");
    expect(done).toBe(0);
    expect(localStorage.getItem(firstRunDoneKey)).toBeNull();
  });

  it("skips: remembered, and nothing saved", async () => {
    const server = serve();
    const user = userEvent.setup();
    let done = 0;
    renderWithClient(<FirstRun onDone={() => done++} />);
    await user.click(screen.getByRole("button", { name: "Skip for now" }));
    expect(done).toBe(1);
    expect(localStorage.getItem(firstRunDoneKey)).toBe("true");
    expect(server.calls.some((entry) => entry.method !== "GET")).toBe(false);
  });
});
