/**
 * A chat's live state: the socket ({@link ChatConnection}) and the history over REST, folded by
 * {@link chatReducer}. The history is (re)loaded every time the socket opens (frames may have been missed while it
 * was down) and after every answer (the saved history is the truth). The socket is closed on unmount.
 */
import type { ChatAttachment, ChatServerFrame } from "@autowright/protocol";
import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { chatSocketUrl, getChat } from "../../api/chats.ts";
import { errorMessage } from "../../api/client.ts";
import {
  browserChatEnvironment,
  ChatConnection,
  type ChatConnectionStatus,
  type ChatEnvironment,
} from "./chat-connection.ts";
import { type ChatImagePart, type ChatState, chatReducer, initialChatState } from "./chat-state.ts";

/** An attachment ready to send, with its preview. */
export interface ReadyAttachment extends ChatAttachment {
  readonly key: string;
  readonly bytes: number;
  readonly previewUrl: string;
}

/** What {@link useChat} gives. */
export interface ChatController {
  readonly state: ChatState;
  readonly connection: { readonly status: ChatConnectionStatus; readonly detail: string | undefined };
  /** Sends a message; returns null when it went out, else why not. */
  readonly send: (text: string, attachments: readonly ReadyAttachment[]) => string | null;
  /** Answers the pending question; returns null when it went out, else why not. */
  readonly answer: (questionId: string, answers: readonly string[]) => string | null;
  /** Stops the answer being produced. */
  readonly cancel: () => void;
  readonly reconnect: () => void;
  readonly dismissError: () => void;
}

/** The live state of chat `chatId` of `project`; `onFrame` sees every parsed frame (after it is folded). */
export function useChat(
  project: string,
  chatId: string,
  options: {
    readonly environment?: ChatEnvironment;
    readonly onFrame?: (frame: ChatServerFrame) => void;
  } = {},
): ChatController {
  const [state, dispatch] = useReducer(chatReducer, initialChatState);
  const [connection, setConnection] = useState<ChatController["connection"]>({
    status: "connecting",
    detail: undefined,
  });
  const socket = useRef<ChatConnection | undefined>(undefined);
  const onFrame = useRef(options.onFrame);
  onFrame.current = options.onFrame;
  const environment = options.environment;

  useEffect(() => {
    let live = true;
    const load = () => {
      getChat(project, chatId).then(
        (detail) => {
          if (live) dispatch({ type: "detail", detail });
        },
        (error: unknown) => {
          if (live)
            dispatch({
              type: "error",
              code: "history",
              message: `The conversation could not be loaded: ${errorMessage(error)}`,
            });
        },
      );
    };
    const connectionOfChat = new ChatConnection({
      url: chatSocketUrl(project, chatId),
      environment: environment ?? browserChatEnvironment(),
      onOpen: load,
      onStatus: (status, detail) => {
        if (live) setConnection({ status, detail });
      },
      onFrame: (frame) => {
        if (!live) return;
        dispatch({ type: "frame", frame });
        onFrame.current?.(frame);
        if (frame.type === "chat.message.completed") load();
      },
      onInvalidFrame: (reason) => {
        if (live) dispatch({ type: "error", code: "invalid_frame", message: `The server sent ${reason}.` });
      },
    });
    socket.current = connectionOfChat;
    connectionOfChat.start();
    return () => {
      live = false;
      connectionOfChat.stop();
      if (socket.current === connectionOfChat) socket.current = undefined;
    };
  }, [project, chatId, environment]);

  const send = useCallback((text: string, attachments: readonly ReadyAttachment[]): string | null => {
    const current = socket.current;
    if (current === undefined) return "The chat is not connected.";
    const images: ChatImagePart[] = attachments.map((attachment) => ({
      type: "image",
      mimeType: attachment.mimeType,
      bytes: attachment.bytes,
      previewUrl: attachment.previewUrl,
      ...(attachment.name === undefined ? {} : { name: attachment.name }),
    }));
    const refused = current.send({
      type: "chat.send",
      text,
      ...(attachments.length === 0
        ? {}
        : {
            attachments: attachments.map((attachment) => ({
              mimeType: attachment.mimeType,
              data: attachment.data,
              ...(attachment.name === undefined ? {} : { name: attachment.name }),
            })),
          }),
    });
    if (refused === null) dispatch({ type: "sent", images });
    return refused;
  }, []);

  const answer = useCallback((questionId: string, answers: readonly string[]): string | null => {
    const current = socket.current;
    if (current === undefined) return "The chat is not connected.";
    const refused = current.send({ type: "chat.answer", questionId, answers: [...answers] });
    if (refused === null) dispatch({ type: "answer.sent", questionId, answers });
    return refused;
  }, []);

  const cancel = useCallback(() => {
    const refused = socket.current?.send({ type: "chat.cancel" }) ?? "The chat is not connected.";
    if (refused !== null) dispatch({ type: "error", code: "not_sent", message: refused });
  }, []);

  const reconnect = useCallback(() => socket.current?.reconnectNow(), []);
  const dismissError = useCallback(() => dispatch({ type: "error.dismissed" }), []);

  return { state, connection, send, answer, cancel, reconnect, dismissError };
}
