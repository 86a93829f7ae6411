/** Themes (an accent colour each) and dark mode, remembered in localStorage and applied to `<html>`. */
import { useCallback, useSyncExternalStore } from "react";

/** The themes. */
export const themes = [
  { id: "indigo", label: "Indigo" },
  { id: "emerald", label: "Emerald" },
  { id: "amber", label: "Amber" },
  { id: "rose", label: "Rose" },
] as const;
/** A theme id. */
export type ThemeId = (typeof themes)[number]["id"];

const listeners = new Set<() => void>();
const read = () => ({
  theme: (document.documentElement.dataset["theme"] ?? "indigo") as ThemeId,
  dark: document.documentElement.classList.contains("dark"),
});
let current = typeof document === "undefined" ? { theme: "indigo" as ThemeId, dark: false } : read();

function set(theme: ThemeId, dark: boolean): void {
  document.documentElement.dataset["theme"] = theme;
  document.documentElement.classList.toggle("dark", dark);
  try {
    localStorage.setItem("autowright-theme", theme);
    localStorage.setItem("autowright-dark", String(dark));
  } catch {
    // Private mode: the choice lasts for this page.
  }
  current = { theme, dark };
  for (const listener of listeners) listener();
}

/** The theme, dark mode, and their setters. */
export function useTheme() {
  const state = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
    () => current,
  );
  const setTheme = useCallback((theme: ThemeId) => set(theme, current.dark), []);
  const setDark = useCallback((dark: boolean) => set(current.theme, dark), []);
  return { ...state, setTheme, setDark };
}
