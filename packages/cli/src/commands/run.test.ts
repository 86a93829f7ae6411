/** `run`'s settings from the command line and its last line. */
import { settingsSchema } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import { runSettings, summaryLine } from "./run.ts";

describe("runSettings", () => {
  it("keeps unchecked passes off unless --allow-unchecked-pass is given", () => {
    const base = settingsSchema.parse({});
    expect(base.allowUncheckedPass).toBe(false);
    expect(runSettings(base, {}).allowUncheckedPass).toBe(false);
    expect(runSettings(base, { allowUncheckedPass: true }).allowUncheckedPass).toBe(true);
    expect(runSettings({ ...base, allowUncheckedPass: true }, {}).allowUncheckedPass).toBe(true);
  });
});

describe("summaryLine", () => {
  it("counts the passes no check verified", () => {
    const done = { status: "completed", reason: "all 3 features pass" } as const;
    expect(summaryLine(done)).toBe("Done: all 3 features pass.");
    expect(summaryLine(done, 2)).toBe(
      "Done: all 3 features pass. 2 passing features passed without a check (unverified).",
    );
    expect(summaryLine({ status: "stalled", reason: "nothing can progress" }, 1)).toBe(
      "Stalled: nothing can progress. 1 passing feature passed without a check (unverified). See `autowright features ready`.",
    );
  });
});
