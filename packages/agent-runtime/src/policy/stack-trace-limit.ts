/**
 * Imported for its side effect just before `mvdan-sh`, which sets `Error.stackTraceLimit = Infinity` for the whole
 * process when it loads: remembers the limit so `shell-syntax.ts` can put it back.
 */
const key = Symbol.for("autowright.policy.stackTraceLimit");
(globalThis as Record<symbol, unknown>)[key] = Error.stackTraceLimit;

/** The stack trace limit from before `mvdan-sh` loaded. */
export function savedStackTraceLimit(): number {
  const saved = (globalThis as Record<symbol, unknown>)[key];
  return typeof saved === "number" ? saved : 10;
}
