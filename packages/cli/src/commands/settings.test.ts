import { AppError, settingsSchema } from "@autowright/protocol";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { recordingIo } from "../recording-io.ts";
import { setSettingCommand, showSettingsCommand } from "./settings.ts";

function shown(home: string): unknown {
  const io = recordingIo(home);
  showSettingsCommand({ home }, io);
  return JSON.parse(io.out.join(""));
}

describe("the settings command", () => {
  it("shows every default, then a change of a value, a role's model and the model prices", () => {
    using home = temporaryDirectory();
    expect(shown(home.path)).toEqual(settingsSchema.parse({}));
    const io = recordingIo(home.path);
    setSettingCommand("maxAttempts", "5", { home: home.path }, io);
    setSettingCommand("models.coding", "claude-haiku-4-5", { home: home.path }, io);
    setSettingCommand(
      "modelPrices",
      '{"qwen2.5-coder":{"inputPerMTok":0.2,"outputPerMTok":0.6}}',
      { home: home.path },
      io,
    );
    expect(io.out.join("")).toBe(
      'maxAttempts = 5\nmodels.coding = "claude-haiku-4-5"\nmodelPrices = {"qwen2.5-coder":{"inputPerMTok":0.2,"outputPerMTok":0.6,"cacheWritePerMTok":0,"cacheReadPerMTok":0}}\n',
    );
    expect(shown(home.path)).toMatchObject({
      maxAttempts: 5,
      models: { coding: "claude-haiku-4-5", testing: null },
      modelPrices: { "qwen2.5-coder": { inputPerMTok: 0.2, outputPerMTok: 0.6 } },
    });
  });

  it.each([
    ["maxAtempts", "5", /unknown setting "maxAtempts" \(settings: provider, /],
    ["models.reviewer", "x", /unknown setting "models.reviewer" \(models.initializer, /],
    ["maxAttempts.x", "5", /unknown setting/],
    ["maxAttempts", "0", /invalid maxAttempts: /],
    ["maxConcurrency", "9", /maxConcurrency cannot exceed concurrencyCap/],
    ["modelPrices", '{"m":{"inputPerMTok":-1,"outputPerMTok":1}}', /invalid modelPrices/],
  ])("refuses %s = %s and changes nothing", (key, value, message) => {
    using home = temporaryDirectory();
    const before = shown(home.path);
    let thrown: unknown;
    try {
      setSettingCommand(key, value, { home: home.path }, recordingIo(home.path));
    } catch (error) {
      thrown = error;
    }
    expect(AppError.isInstance(thrown) && thrown.code).toBe("invalid_input");
    expect((thrown as Error).message).toMatch(message);
    expect(shown(home.path)).toEqual(before);
  });
});
