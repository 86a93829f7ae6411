import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// Testing Library unmounts between tests only when the runner has globals; this runner has none.
afterEach(() => {
  cleanup();
  localStorage.clear();
});

// jsdom has no matchMedia, ResizeObserver or scrollTo; components use them, so give the plainest working ones.
if (typeof window !== "undefined") {
  window.matchMedia ??= ((query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener: () => {},
    removeEventListener: () => {},
    addListener: () => {},
    removeListener: () => {},
    dispatchEvent: () => false,
  })) as unknown as typeof window.matchMedia;
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  } as unknown as typeof ResizeObserver;
  Element.prototype.scrollTo ??= function scrollTo(): void {};
  Element.prototype.scrollIntoView ??= function scrollIntoView(): void {};
}
