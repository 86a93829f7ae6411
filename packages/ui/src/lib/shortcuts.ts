/**
 * Keyboard shortcuts: one key each, ignored while the user types in a field or a dialog is open (except Esc,
 * which Radix handles). Every registered shortcut is listed in the help sheet (`?`).
 */
import { useEffect, useSyncExternalStore } from "react";

/** A shortcut as the help sheet lists it. */
export interface ShortcutEntry {
  readonly key: string;
  readonly description: string;
  readonly group: string;
}

const registry = new Map<string, ShortcutEntry & { handler: () => void }>();
const listeners = new Set<() => void>();
let entries: readonly ShortcutEntry[] = [];

function changed(): void {
  entries = [...registry.values()].map(({ key, description, group }) => ({ key, description, group }));
  for (const listener of listeners) listener();
}

/** True when a key press belongs to a field (or a terminal) rather than to the shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target.closest(".xterm")) return true;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
}

function onKeyDown(event: KeyboardEvent): void {
  if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
  if (isTypingTarget(event.target)) return;
  if (document.querySelector("[role=dialog][data-state=open]") !== null) return;
  const entry = registry.get(event.key.toLowerCase()) ?? registry.get(event.key);
  if (entry === undefined) return;
  event.preventDefault();
  entry.handler();
}

/** Registers `key` while mounted (the last registration of a key wins). */
export function useShortcut(
  key: string,
  description: string,
  group: string,
  handler: () => void,
  enabled = true,
): void {
  useEffect(() => {
    if (!enabled) return;
    const entry = { key, description, group, handler };
    registry.set(key, entry);
    if (registry.size === 1) window.addEventListener("keydown", onKeyDown);
    changed();
    return () => {
      if (registry.get(key) === entry) registry.delete(key);
      if (registry.size === 0) window.removeEventListener("keydown", onKeyDown);
      changed();
    };
  }, [key, description, group, handler, enabled]);
}

/** Every shortcut now registered. */
export function useShortcutList(): readonly ShortcutEntry[] {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => entries,
    () => entries,
  );
}
