import type { ChatDetailResponse } from "@autowright/protocol";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { ProjectStoreProvider } from "../../state/project-context.tsx";
import { fakeServer, makeFeature, storeWith } from "../../test-support.ts";
import { NoticeProvider } from "../../ui/notices.tsx";
import { AssistantView } from "./assistant-view.tsx";
import { ChatEnvironmentProvider } from "./chat-connection.ts";
import { chatIds, chatSummary, type FakeChatSocket, fakeChatEnvironment } from "./chat-test-support.ts";

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

const ask = chatSummary(chatIds.first, "assistant", { title: "What is left?", messageCount: 2 });
const expand = chatSummary(chatIds.second, "expand", { title: "Add CSV", messageCount: 2, featuresAdded: 3 });

function serve(options: { createFails?: boolean } = {}) {
  let chats = [ask, expand];
  const detail = (id: string): ChatDetailResponse => ({
    chat: chats.find((chat) => chat.id === id) ?? ask,
    messages:
      id === expand.id
        ? [
            {
              id: "u1",
              role: "user",
              createdAt: ask.createdAt,
              status: "completed",
              parts: [{ type: "text", text: "Add CSV" }],
            },
            {
              id: "a1",
              role: "assistant",
              createdAt: ask.createdAt,
              status: "completed",
              parts: [
                { type: "features", count: 3, ids: [5, 6, 7] },
                { type: "text", text: "I added 3 features." },
              ],
            },
          ]
        : [],
    question: null,
  });
  const server = fakeServer([
    { method: "GET", path: "/api/projects/demo/chats", body: () => ({ chats }) },
    {
      method: "GET",
      path: /\/api\/projects\/demo\/chats\/[0-9a-f-]+$/,
      body: ({ url }: { url: string }) => detail(url.split("/").at(-1) ?? ""),
    },
    {
      method: "DELETE",
      path: /\/api\/projects\/demo\/chats\/[0-9a-f-]+$/,
      body: ({ url }: { url: string }) => {
        const id = url.split("/").at(-1) ?? "";
        chats = chats.filter((chat) => chat.id !== id);
        return { id };
      },
    },
    options.createFails === true
      ? {
          method: "POST",
          path: "/api/projects/demo/chats",
          status: 409,
          body: { error: { code: "conflict", message: "the project has no app spec yet: write it first" } },
        }
      : {
          method: "POST",
          path: "/api/projects/demo/chats",
          status: 201,
          body: { chat: chatSummary("0b4f8d54-6a51-4d6c-9d0a-7c0e2f3b1a03", "expand") },
        },
  ]);
  restore = server.restore;
  return server;
}

function renderAssistant() {
  const environment = fakeChatEnvironment();
  const store = storeWith({
    features: [makeFeature(5, { name: "Export as CSV" }), makeFeature(6, { name: "Import CSV" })],
  });
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <NoticeProvider>
        <ChatEnvironmentProvider value={environment}>
          <ProjectStoreProvider project="demo" store={store}>
            <AssistantView />
          </ProjectStoreProvider>
        </ChatEnvironmentProvider>
      </NoticeProvider>
    </QueryClientProvider>,
  );
  return environment;
}

describe("AssistantView", () => {
  it("lists each mode's conversations and counts the features a chat added from the board", async () => {
    serve();
    const environment = renderAssistant();
    const history = await screen.findByRole("list", { name: "Conversation history" });
    expect(within(history).getByText("What is left?")).toBeTruthy();
    expect(within(history).queryByText("Add CSV")).toBeNull();
    await userEvent.click(screen.getByRole("button", { name: "Expand backlog" }));
    expect(await screen.findByText("Add CSV", { selector: "h2" })).toBeTruthy();
    await waitFor(() => expect(environment.sockets.length).toBeGreaterThan(0));
    (environment.sockets.at(-1) as FakeChatSocket).open();
    const added = await screen.findByTestId("features-added");
    // Ids 5 and 6 are on the board; 7 is not (deleted since): the count says so rather than trusting the chat.
    expect(added.textContent).toContain("2 features added to the board by this chat (1 no longer on it)");
    expect(screen.getByRole("button", { name: /#5 Export as CSV/ })).toBeTruthy();
  });

  it("deletes a conversation after confirmation", async () => {
    const server = serve();
    renderAssistant();
    await screen.findByRole("list", { name: "Conversation history" });
    await userEvent.click(screen.getByRole("button", { name: "Delete “What is left?”" }));
    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    await waitFor(() =>
      expect(server.calls.some((call) => call.method === "DELETE" && call.url.endsWith(ask.id))).toBe(true),
    );
    expect(await screen.findByText("No conversations yet.")).toBeTruthy();
  });

  it("says why a new expansion chat was refused", async () => {
    serve({ createFails: true });
    renderAssistant();
    await userEvent.click(await screen.findByRole("button", { name: "Expand backlog" }));
    await userEvent.click(screen.getByRole("button", { name: "New chat" }));
    expect((await screen.findByRole("alert")).textContent).toContain("the project has no app spec yet");
  });
});
