/**
 * Test fakes for the chats: a WebSocket the test drives by hand (open it, push server frames, read what the
 * client sent), an environment that hands them out, and builders of chat summaries. Only tests import this file.
 */
import type { ChatClientFrame, ChatKind, ChatServerFrame, ChatSummary } from "@autowright/protocol";
import { act } from "@testing-library/react";
import type { ChatEnvironment } from "./chat-connection.ts";

/** A socket the test drives. */
export class FakeChatSocket {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  /** Every frame the client sent, parsed. */
  readonly sent: ChatClientFrame[] = [];
  closed = false;

  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ChatClientFrame);
  }

  close(): void {
    this.closed = true;
    this.readyState = 3;
  }

  /** The server accepts the socket. */
  open(): void {
    act(() => {
      this.readyState = 1;
      this.onopen?.(new Event("open"));
    });
  }

  /** The server sends `frame` (or raw text). */
  receive(frame: ChatServerFrame | string): void {
    act(() => {
      this.onmessage?.(
        new MessageEvent("message", { data: typeof frame === "string" ? frame : JSON.stringify(frame) }),
      );
    });
  }

  /** The server closes the socket. */
  serverClose(code = 1006, reason = ""): void {
    act(() => {
      this.readyState = 3;
      this.onclose?.({ code, reason } as CloseEvent);
    });
  }
}

/** An environment whose sockets are {@link FakeChatSocket}s (kept in `sockets`) and whose timers never fire. */
export function fakeChatEnvironment(): ChatEnvironment & { readonly sockets: FakeChatSocket[] } {
  const sockets: FakeChatSocket[] = [];
  return {
    sockets,
    createSocket: (url) => {
      const socket = new FakeChatSocket(url);
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
    setTimeout: () => 0,
    clearTimeout: () => {},
    now: () => 0,
    onWake: () => () => {},
  };
}

/** A chat summary. */
export function chatSummary(id: string, kind: ChatKind, fields: Partial<ChatSummary> = {}): ChatSummary {
  return {
    id,
    kind,
    title: kind === "spec" ? "Spec interview" : "Assistant",
    createdAt: "2026-12-03T12:00:00.000Z",
    updatedAt: "2026-12-03T12:00:00.000Z",
    status: "idle",
    messageCount: 0,
    specWritten: null,
    featuresAdded: 0,
    ...fields,
  };
}

/** Chat ids (UUIDs, as the protocol wants). */
export const chatIds = {
  first: "0b4f8d54-6a51-4d6c-9d0a-7c0e2f3b1a01",
  second: "0b4f8d54-6a51-4d6c-9d0a-7c0e2f3b1a02",
} as const;
