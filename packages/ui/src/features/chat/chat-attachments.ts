/**
 * Images a user attaches to a chat message: the server takes PNG, JPEG, GIF and WebP, at most 5 MiB each and 4 per
 * message (the protocol's `chatMessageLimits`). Files are checked here first so a refusal is explained at once, in
 * words, rather than bounced by the server.
 */
import {
  type ChatAttachmentMimeType,
  chatAttachmentMimeTypeSchema,
  chatMessageLimits,
} from "@autowright/protocol";
import type { ReadyAttachment } from "./use-chat.ts";

/** The `accept` of the file picker. */
export const acceptedImageTypes = chatAttachmentMimeTypeSchema.options.join(",");

/** A file that was not attached, and why. */
export interface RefusedFile {
  readonly key: string;
  readonly message: string;
}

/** A size in words (MB with one decimal, KB under a megabyte). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}

function isAcceptedType(type: string): type is ChatAttachmentMimeType {
  return (chatAttachmentMimeTypeSchema.options as readonly string[]).includes(type);
}

let nextKey = 0;

/** Reads a file as base64 (without the `data:` prefix) and its data URL. */
function readFile(file: File): Promise<{ data: string; url: string }> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error("the file could not be read"));
    reader.onload = () => {
      const url = String(reader.result);
      const comma = url.indexOf(",");
      resolve({ data: comma < 0 ? "" : url.slice(comma + 1), url });
    };
    reader.readAsDataURL(file);
  });
}

/**
 * Checks and reads `files` to join the `already` attached ones: what can be attached, and what was refused with
 * the reason (wrong type, too large, too many, unreadable).
 */
export async function prepareAttachments(
  files: readonly File[],
  already: number,
): Promise<{ accepted: ReadyAttachment[]; refused: RefusedFile[] }> {
  const accepted: ReadyAttachment[] = [];
  const refused: RefusedFile[] = [];
  const name = (file: File) => (file.name === "" ? "The pasted image" : file.name);
  for (const file of files) {
    const key = `attachment-${++nextKey}`;
    if (!isAcceptedType(file.type)) {
      refused.push({
        key,
        message: `${name(file)} was not attached: only PNG, JPEG, GIF and WebP images can be sent.`,
      });
      continue;
    }
    if (file.size > chatMessageLimits.maxAttachmentBytes) {
      refused.push({
        key,
        message: `${name(file)} was not attached: it is ${formatBytes(file.size)}, and an image may be at most ${formatBytes(chatMessageLimits.maxAttachmentBytes)}.`,
      });
      continue;
    }
    if (file.size === 0) {
      refused.push({ key, message: `${name(file)} was not attached: it is empty.` });
      continue;
    }
    if (already + accepted.length >= chatMessageLimits.maxAttachments) {
      refused.push({
        key,
        message: `${name(file)} was not attached: a message can carry at most ${chatMessageLimits.maxAttachments} images.`,
      });
      continue;
    }
    try {
      const { data, url } = await readFile(file);
      accepted.push({
        key,
        mimeType: file.type,
        data,
        bytes: file.size,
        previewUrl: url,
        ...(file.name === "" ? {} : { name: file.name.slice(0, 255) }),
      });
    } catch (error) {
      refused.push({
        key,
        message: `${name(file)} could not be read: ${error instanceof Error ? error.message : String(error)}.`,
      });
    }
  }
  return { accepted, refused };
}
