import { type ChatSummary, settingsSchema } from "@autowright/protocol";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { fakeServer } from "../../test-support.ts";
import { NoticeProvider } from "../../ui/notices.tsx";
import { ChatEnvironmentProvider } from "./chat-connection.ts";
import { chatIds, chatSummary, type FakeChatSocket, fakeChatEnvironment } from "./chat-test-support.ts";
import { SpecChat } from "./spec-chat.tsx";

const id = chatIds.first;
let restore: (() => void) | undefined;

afterEach(() => {
  restore?.();
  restore = undefined;
});

function serve(existing: ChatSummary[], options: { createFails?: boolean } = {}) {
  let yolo = false;
  const server = fakeServer([
    { method: "GET", path: "/api/projects/demo/chats", body: { chats: existing } },
    options.createFails === true
      ? {
          method: "POST",
          path: "/api/projects/demo/chats",
          status: 409,
          body: { error: { code: "conflict", message: "the project is being reset" } },
        }
      : {
          method: "POST",
          path: "/api/projects/demo/chats",
          status: 201,
          body: { chat: chatSummary(id, "spec") },
        },
    {
      method: "GET",
      path: /\/api\/projects\/demo\/chats\/[0-9a-f-]+$/,
      body: ({ url }: { url: string }) => ({
        chat: existing.find((chat) => url.endsWith(chat.id)) ?? chatSummary(id, "spec"),
        messages: [],
        question: null,
      }),
    },
    {
      method: "GET",
      path: "/api/settings",
      body: () => ({ settings: settingsSchema.parse({ yolo }), secrets: {} }),
    },
    {
      method: "PATCH",
      path: "/api/settings",
      body: ({ body }: { body: unknown }) => {
        yolo = (body as { yolo: boolean }).yolo;
        return { settings: settingsSchema.parse({ yolo }), secrets: {} };
      },
    },
    {
      method: "GET",
      path: "/api/projects/demo/prompts",
      body: { prompts: { "app-spec": "# App specification\n\n## Overview\nA todo app." } },
    },
  ]);
  restore = server.restore;
  return server;
}

function renderSpecChat(onComplete: () => void) {
  const environment = fakeChatEnvironment();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <NoticeProvider>
        <ChatEnvironmentProvider value={environment}>
          <SpecChat project="demo" onComplete={onComplete} />
        </ChatEnvironmentProvider>
      </NoticeProvider>
    </QueryClientProvider>,
  );
  return environment;
}

describe("SpecChat", () => {
  it("starts a spec chat, and on the spec-written frame shows the Start building step that calls onComplete", async () => {
    const server = serve([]);
    let completed = 0;
    const environment = renderSpecChat(() => completed++);
    await waitFor(() => expect(environment.sockets).toHaveLength(1));
    expect(server.calls.find((call) => call.method === "POST")?.body).toEqual({ kind: "spec" });
    const socket = environment.sockets[0] as FakeChatSocket;
    expect(socket.url).toContain(`/ws/projects/demo/chats/${id}`);
    socket.open();
    expect(await screen.findByText("What are we building?")).toBeTruthy();
    expect(screen.queryByTestId("spec-complete")).toBeNull();

    socket.receive({ type: "chat.message.started", messageId: "a1", role: "assistant" });
    socket.receive({
      type: "chat.tool",
      messageId: "a1",
      name: "write_spec",
      summary: "write_spec",
      ok: true,
    });
    socket.receive({ type: "chat.spec.written", path: ".autowright/prompts/app-spec.md", featureCount: 12 });
    socket.receive({ type: "chat.text.delta", messageId: "a1", text: "The specification is written." });
    socket.receive({ type: "chat.message.completed", messageId: "a1", status: "completed" });

    const step = await screen.findByTestId("spec-complete");
    expect(step.textContent).toContain("Spec complete → Start building");
    expect(step.textContent).toContain("12 features");

    const yolo = within(step).getByRole("switch", { name: "YOLO mode" });
    await waitFor(() => expect(yolo).toHaveProperty("disabled", false));
    await userEvent.click(yolo);
    await waitFor(() => expect(server.calls.some((call) => call.method === "PATCH")).toBe(true));
    expect(server.calls.find((call) => call.method === "PATCH")?.body).toEqual({ yolo: true });
    await waitFor(() => expect(yolo.getAttribute("aria-checked")).toBe("true"));

    await userEvent.click(within(step).getByRole("button", { name: "View the spec" }));
    expect(await screen.findByText("A todo app.")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Close" }));

    expect(completed).toBe(0);
    await userEvent.click(within(step).getByRole("button", { name: /Start building/ }));
    expect(completed).toBe(1);
  });

  it("resumes the latest spec chat: one that already wrote the spec shows the step at once, without a new chat", async () => {
    const server = serve([
      chatSummary(id, "spec", {
        specWritten: { path: ".autowright/prompts/app-spec.md", featureCount: 3 },
        messageCount: 4,
      }),
      chatSummary(chatIds.second, "assistant"),
    ]);
    const environment = renderSpecChat(() => {});
    const step = await screen.findByTestId("spec-complete");
    expect(step.textContent).toContain("3 features");
    expect(server.calls.some((call) => call.method === "POST")).toBe(false);
    expect(environment.sockets[0]?.url).toContain(id);
  });

  it("says readably when the interview cannot be started, and tries again on request", async () => {
    const server = serve([], { createFails: true });
    renderSpecChat(() => {});
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("the project is being reset");
    const before = server.calls.length;
    await userEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(server.calls.length).toBeGreaterThan(before));
  });
});
