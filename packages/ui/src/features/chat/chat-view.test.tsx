import type { ChatDetailResponse, ChatMessage, ChatQuestion } from "@autowright/protocol";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { fakeServer } from "../../test-support.ts";
import { chatIds, chatSummary, type FakeChatSocket, fakeChatEnvironment } from "./chat-test-support.ts";
import { ChatView } from "./chat-view.tsx";

const id = chatIds.first;
let restore: (() => void) | undefined;

afterEach(() => {
  restore?.();
  restore = undefined;
});

/** A fake server whose history of the chat is whatever `history` holds when asked. */
function serve(history: { messages: ChatMessage[]; question: ChatQuestion | null }) {
  const server = fakeServer([
    {
      method: "GET",
      path: `/api/projects/demo/chats/${id}`,
      body: (): ChatDetailResponse => ({
        chat: chatSummary(id, "spec", { messageCount: history.messages.length }),
        messages: history.messages,
        question: history.question,
      }),
    },
  ]);
  restore = server.restore;
  return server;
}

async function openChat(
  history: { messages: ChatMessage[]; question: ChatQuestion | null } = { messages: [], question: null },
) {
  const server = serve(history);
  const environment = fakeChatEnvironment();
  const view = render(
    <ChatView project="demo" chatId={id} environment={environment} emptyState={<p>Say hello</p>} />,
  );
  const socket = environment.sockets[0] as FakeChatSocket;
  expect(socket.url).toBe(`ws://${window.location.host}/ws/projects/demo/chats/${id}`);
  socket.open();
  await screen.findByText("Say hello");
  return { socket, server, view, environment };
}

describe("ChatView", () => {
  it("renders streamed text as Markdown, delta by delta, with a typing indicator until the answer ends", async () => {
    const { socket } = await openChat();
    expect(screen.getByTestId("chat-connection").dataset["status"]).toBe("open");

    socket.receive({ type: "chat.message.started", messageId: "a1", role: "assistant" });
    expect(screen.getByRole("status", { name: "The assistant is answering" })).toBeTruthy();

    socket.receive({ type: "chat.text.delta", messageId: "a1", text: "Here is **a bo" });
    const message = screen.getByTestId("chat-message");
    expect(message.textContent).toContain("Here is **a bo");
    expect(message.querySelector("strong")).toBeNull();

    socket.receive({
      type: "chat.text.delta",
      messageId: "a1",
      text: "ld plan**:\n\n- one\n- two\n\n```ts\nconst a = 1;\n```\n",
    });
    expect(message.querySelector("strong")?.textContent).toBe("a bold plan");
    expect([...message.querySelectorAll("li")].map((item) => item.textContent)).toEqual(["one", "two"]);
    expect(message.querySelector("pre code")?.textContent).toContain("const a = 1;");
    expect(message.textContent).not.toContain("**");

    socket.receive({ type: "chat.tool", messageId: "a1", name: "read_file", summary: "README.md", ok: true });
    expect(within(message).getByTestId("tool-chip").textContent).toContain("read_file");

    socket.receive({ type: "chat.message.completed", messageId: "a1", status: "completed" });
    expect(screen.queryByRole("status", { name: "The assistant is answering" })).toBeNull();
  });

  it("never renders raw HTML from the model", async () => {
    const { socket } = await openChat();
    socket.receive({ type: "chat.message.started", messageId: "a1", role: "assistant" });
    socket.receive({
      type: "chat.text.delta",
      messageId: "a1",
      text: 'Hi <img src="x" onerror="alert(1)"> <b>bold</b>',
    });
    const message = screen.getByTestId("chat-message");
    expect(message.querySelector("img")).toBeNull();
    expect(message.querySelector("b")).toBeNull();
  });

  it("shows a structured question's options as buttons and sends the clicked one as the answer frame", async () => {
    const { socket } = await openChat();
    socket.receive({ type: "chat.message.started", messageId: "a1", role: "assistant" });
    socket.receive({ type: "chat.text.delta", messageId: "a1", text: "First:" });
    socket.receive({ type: "chat.message.completed", messageId: "a1", status: "completed" });
    socket.receive({
      type: "chat.question",
      messageId: "a1",
      questionId: "q1",
      question: "How detailed should the specification be?",
      options: ["Quick", "Detailed"],
      multiSelect: false,
    });
    const question = screen.getByTestId("chat-question");
    expect(within(question).getByText("How detailed should the specification be?")).toBeTruthy();
    expect(screen.getByRole("textbox", { name: "Message" }).getAttribute("placeholder")).toContain(
      "Pick an option",
    );

    await userEvent.click(within(question).getByRole("button", { name: "Quick" }));
    expect(socket.sent.at(-1)).toEqual({ type: "chat.answer", questionId: "q1", answers: ["Quick"] });

    // The server echoes the answer as the user's message: the question closes, the answer shows.
    socket.receive({ type: "chat.message.started", messageId: "u1", role: "user" });
    socket.receive({ type: "chat.text.delta", messageId: "u1", text: "Quick" });
    socket.receive({ type: "chat.message.completed", messageId: "u1", status: "completed" });
    expect(within(question).getByRole("button", { name: "Quick" })).toHaveProperty("disabled", true);
    expect(within(question).getByRole("button", { name: "Detailed" })).toHaveProperty("disabled", true);
    expect(screen.getByText("Answered:")).toBeTruthy();
  });

  it("lets a multi-select question take several options and the user's own words", async () => {
    const { socket } = await openChat();
    socket.receive({ type: "chat.message.started", messageId: "a1", role: "assistant" });
    socket.receive({
      type: "chat.question",
      messageId: "a1",
      questionId: "q2",
      question: "Which platforms?",
      options: ["Web", "iOS", "Android"],
      multiSelect: true,
    });
    socket.receive({ type: "chat.message.completed", messageId: "a1", status: "completed" });
    const question = screen.getByTestId("chat-question");
    const web = within(question).getByRole("button", { name: "Web" });
    await userEvent.click(web);
    await userEvent.click(within(question).getByRole("button", { name: "Android" }));
    expect(web.getAttribute("aria-pressed")).toBe("true");
    expect(socket.sent).toEqual([]);
    await userEvent.type(within(question).getByRole("textbox", { name: "Other answer" }), "Desktop");
    await userEvent.click(within(question).getByRole("button", { name: "Send 3 answers" }));
    expect(socket.sent.at(-1)).toEqual({
      type: "chat.answer",
      questionId: "q2",
      answers: ["Web", "Android", "Desktop"],
    });
  });

  it("sends on Enter, adds a line on Shift+Enter, and shows the echoed message", async () => {
    const { socket } = await openChat();
    const box = screen.getByRole("textbox", { name: "Message" });
    await userEvent.type(box, "A todo app{Shift>}{Enter}{/Shift}with tags");
    expect(socket.sent).toEqual([]);
    expect((box as HTMLTextAreaElement).value).toBe("A todo app\nwith tags");
    await userEvent.type(box, "{Enter}");
    expect(socket.sent).toEqual([{ type: "chat.send", text: "A todo app\nwith tags" }]);
    expect((box as HTMLTextAreaElement).value).toBe("");
  });

  it("refuses an oversized or non-image attachment with a message, and sends an accepted one", async () => {
    const { socket } = await openChat();
    const input = screen.getByTestId("chat-file-input");
    const big = new File([new Uint8Array(5 * 1024 * 1024 + 1)], "huge.png", { type: "image/png" });
    fireEvent.change(input, { target: { files: [big] } });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("huge.png was not attached");
    expect(alert.textContent).toContain("at most 5.0 MB");
    expect(screen.queryByRole("list", { name: "Attached images" })).toBeNull();

    const pdf = new File(["%PDF"], "notes.pdf", { type: "application/pdf" });
    const small = new File([new Uint8Array([137, 80, 78, 71])], "logo.png", { type: "image/png" });
    fireEvent.change(input, { target: { files: [pdf, small] } });
    await waitFor(() =>
      expect(screen.getByRole("alert").textContent).toContain("notes.pdf was not attached"),
    );
    const attached = await screen.findByRole("list", { name: "Attached images" });
    expect(within(attached).getByRole("img", { name: "logo.png" })).toBeTruthy();

    await userEvent.type(screen.getByRole("textbox", { name: "Message" }), "Like this logo{Enter}");
    expect(socket.sent).toEqual([
      {
        type: "chat.send",
        text: "Like this logo",
        attachments: [{ mimeType: "image/png", data: "iVBORw==", name: "logo.png" }],
      },
    ]);
    expect(screen.queryByRole("list", { name: "Attached images" })).toBeNull();

    // The echo shows the image that was sent.
    socket.receive({ type: "chat.message.started", messageId: "u1", role: "user" });
    socket.receive({ type: "chat.text.delta", messageId: "u1", text: "Like this logo" });
    const sent = screen.getAllByTestId("chat-message").find((element) => element.dataset["role"] === "user");
    expect(sent?.querySelector("img")?.getAttribute("alt")).toBe("logo.png");
  });

  it("shows the saved history, a failed turn's reason and a refused frame's message", async () => {
    serve({
      messages: [
        {
          id: "u0",
          role: "user",
          createdAt: "2026-12-03T12:00:00.000Z",
          status: "completed",
          parts: [{ type: "text", text: "Hello" }],
        },
        {
          id: "a0",
          role: "assistant",
          createdAt: "2026-12-03T12:00:01.000Z",
          status: "completed",
          parts: [
            { type: "text", text: "Hi! One question:" },
            {
              type: "question",
              questionId: "q0",
              question: "Web or mobile?",
              options: ["Web", "Mobile"],
              multiSelect: false,
              answers: null,
            },
          ],
        },
      ],
      question: {
        questionId: "q0",
        question: "Web or mobile?",
        options: ["Web", "Mobile"],
        multiSelect: false,
      },
    });
    const environment = fakeChatEnvironment();
    render(<ChatView project="demo" chatId={id} environment={environment} />);
    const socket = environment.sockets[0] as FakeChatSocket;
    socket.open();
    expect(await screen.findByText("Hello")).toBeTruthy();
    const question = screen.getByTestId("chat-question");
    expect(within(question).getByRole("button", { name: "Web" })).toHaveProperty("disabled", false);

    socket.receive({
      type: "chat.error",
      code: "conflict",
      message: "the chat is still answering: wait for the answer or cancel it",
    });
    expect(screen.getByRole("alert").textContent).toContain("the chat is still answering");

    socket.receive({ type: "chat.message.started", messageId: "u1", role: "user" });
    socket.receive({ type: "chat.message.started", messageId: "a1", role: "assistant" });
    socket.receive({ type: "chat.error", code: "unauthorized", message: "the API key was refused" });
    socket.receive({ type: "chat.message.completed", messageId: "a1", status: "failed" });
    const failed = screen
      .getAllByTestId("chat-message")
      .find((element) => element.dataset["status"] === "failed");
    expect(failed?.textContent).toContain("The answer failed: the API key was refused");

    socket.receive("not json");
    expect(screen.getAllByRole("alert").some((element) => element.textContent?.includes("not JSON"))).toBe(
      true,
    );
  });

  it("shows the connection state, reconnects after a drop, and closes its socket on unmount", async () => {
    const { socket, environment, view } = await openChat();
    socket.serverClose(1006, "network down");
    const line = screen.getByTestId("chat-connection");
    expect(line.dataset["status"]).toBe("reconnecting");
    expect(line.textContent).toContain("network down");
    expect(screen.getByRole("button", { name: "Send message" })).toHaveProperty("disabled", true);

    await userEvent.click(within(line).getByRole("button", { name: "Reconnect" }));
    const second = environment.sockets[1] as FakeChatSocket;
    second.open();
    expect(screen.getByTestId("chat-connection").dataset["status"]).toBe("open");

    view.unmount();
    expect(second.closed).toBe(true);
  });

  it("stops retrying when the server refuses the chat (it was deleted)", async () => {
    const { socket, environment } = await openChat();
    socket.serverClose(4404, "no chat");
    expect(screen.getByTestId("chat-connection").dataset["status"]).toBe("closed");
    expect(environment.sockets).toHaveLength(1);
  });
});
