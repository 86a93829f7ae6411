import { describe, expect, it } from "vitest";
import {
  type ModelScript,
  parseModelScript,
  renderScript,
  renderTemplate,
  renderValue,
  ScriptError,
  type ScriptVariables,
  sessionVariables,
  slugify,
} from "./script.ts";

const variables: ScriptVariables = sessionVariables({
  sessionId: "session-1",
  cwd: "/work/repo",
  features: [
    { id: 7, name: 'Say "hello"' },
    { id: 12, name: "Dark mode toggle" },
  ],
});

describe("sessionVariables", () => {
  it("derives ids, the first feature and slugs", () => {
    expect(variables).toEqual({
      sessionId: "session-1",
      cwd: "/work/repo",
      features: [
        { id: 7, name: 'Say "hello"', slug: "say-hello" },
        { id: 12, name: "Dark mode toggle", slug: "dark-mode-toggle" },
      ],
      featureIds: [7, 12],
      featureId: 7,
      featureName: 'Say "hello"',
    });
  });

  it("leaves out featureId and featureName when there is no feature", () => {
    expect(sessionVariables({ sessionId: "s", cwd: "/c", features: [] })).toEqual({
      sessionId: "s",
      cwd: "/c",
      features: [],
      featureIds: [],
    });
  });
});

describe("slugify", () => {
  it.each([
    ["Dark mode toggle", 1, "dark-mode-toggle"],
    ["  Crème brûlée / v2!  ", 2, "creme-brulee-v2"],
    ["???", 3, "feature-3"],
    ["a".repeat(60), 4, "a".repeat(48)],
  ])("%j → %s", (name, id, slug) => {
    expect(slugify(name, id)).toBe(slug);
  });
});

describe("renderTemplate", () => {
  it.each([
    ["Feature {{featureId}}: {{featureName}}", 'Feature 7: Say "hello"'],
    ["ids {{featureIds}}", "ids 7, 12"],
    ["second {{featureIds.1}} / {{features.1.name}}", "second 12 / Dark mode toggle"],
    ["{{ cwd }}/src", "/work/repo/src"],
    ["name = {{featureName | json}};", 'name = "Say \\"hello\\"";'],
    ["all {{features | json}}", `all ${JSON.stringify(variables["features"])}`],
    ["no placeholder {{ a: 1 }} {x}", "no placeholder {{ a: 1 }} {x}"],
  ])("%s", (template, expected) => {
    expect(renderTemplate(template, variables)).toBe(expected);
  });

  it.each([
    ["{{featureTitle}}", "here: unknown placeholder {{featureTitle}} (variables: cwd, featureId, featureIds"],
    ["{{featureIds.5}}", "here: unknown placeholder {{featureIds.5}}"],
    ["{{features.0.title}}", "here: unknown placeholder {{features.0.title}}"],
    ["{{cwd | upper}}", 'here: unknown filter "upper" in {{cwd | upper}} (known: json)'],
    ["{{features}}", "here: {{features}} is an object or a list of objects; write {{features | json}}"],
  ])("%s is an error", (template, message) => {
    expect(() => renderTemplate(template, variables, "here")).toThrow(ScriptError);
    expect(() => renderTemplate(template, variables, "here")).toThrow(message);
  });
});

describe("renderValue", () => {
  it("keeps the type of a whole-string placeholder and interpolates the rest", () => {
    expect(
      renderValue(
        {
          feature_id: "{{featureId}}",
          ids: "{{featureIds}}",
          label: "#{{featureId}}",
          nested: [{ path: "{{cwd}}/a", flag: true, count: 3 }],
          json: "{{featureId | json}}",
        },
        variables,
      ),
    ).toEqual({
      feature_id: 7,
      ids: [7, 12],
      label: "#7",
      nested: [{ path: "/work/repo/a", flag: true, count: 3 }],
      json: "7",
    });
  });

  it("names the place of an unknown placeholder", () => {
    expect(() => renderValue({ a: [{ b: "{{nope}}" }] }, variables, "input")).toThrow(
      "input.a[0].b: unknown placeholder {{nope}}",
    );
  });
});

describe("renderScript", () => {
  it("expands feature groups in order and applies defaults", () => {
    const script: ModelScript = {
      turns: [
        { text: "Session {{sessionId}} starts." },
        {
          forEach: "feature",
          turns: [
            {
              text: "Feature {{feature.number}} ({{feature.index}})",
              toolCalls: [
                { name: "claim", input: { feature_id: "{{feature.id}}", slug: "{{feature.slug}}" } },
              ],
            },
          ],
        },
        { text: "done", stopReason: "end_turn", usage: { inputTokens: 5, outputTokens: 2 } },
      ],
    };
    expect(renderScript(script, variables)).toEqual([
      {
        text: "Session session-1 starts.",
        toolCalls: [],
        stopReason: "end_turn",
        error: undefined,
        usage: undefined,
      },
      {
        text: "Feature 1 (0)",
        toolCalls: [{ name: "claim", input: { feature_id: 7, slug: "say-hello" } }],
        stopReason: "tool_use",
        error: undefined,
        usage: undefined,
      },
      {
        text: "Feature 2 (1)",
        toolCalls: [{ name: "claim", input: { feature_id: 12, slug: "dark-mode-toggle" } }],
        stopReason: "tool_use",
        error: undefined,
        usage: undefined,
      },
      {
        text: "done",
        toolCalls: [],
        stopReason: "end_turn",
        error: undefined,
        usage: { inputTokens: 5, outputTokens: 2 },
      },
    ]);
  });

  it("names the feature of a failing placeholder in a group", () => {
    const script: ModelScript = { turns: [{ forEach: "feature", turns: [{ text: "{{feature.title}}" }] }] };
    expect(() => renderScript(script, variables)).toThrow(
      "turns[0].turns[0] (feature 7).text: unknown placeholder {{feature.title}}",
    );
  });

  it("refuses a feature group without a usable features variable", () => {
    const script: ModelScript = { turns: [{ forEach: "feature", turns: [{ text: "x" }] }] };
    expect(() => renderScript(script, {})).toThrow(
      'turns[0]: a "forEach": "feature" group needs a "features" variable',
    );
    expect(() => renderScript(script, { features: [{ id: 1 }] })).toThrow(
      'turns[0]: the "features" variable must be a list of {id, name, slug?}',
    );
    expect(renderScript(script, { features: [] })).toEqual([]);
  });

  it("renders error turns and checks their reset time", () => {
    const turns = renderScript(
      {
        turns: [
          {
            error: {
              status: 429,
              message: "slow down, {{sessionId}}",
              retryAfterSeconds: 3,
              resetAt: "{{reset}}",
            },
          },
        ],
      },
      { sessionId: "s9", reset: "2030-01-02T03:04:05Z" },
    );
    expect(turns[0]?.error).toEqual({
      status: 429,
      message: "slow down, s9",
      retryAfterSeconds: 3,
      resetAt: "2030-01-02T03:04:05Z",
    });
    expect(turns[0]?.stopReason).toBe("end_turn");
    expect(() => renderScript({ turns: [{ error: { status: 429, resetAt: "tomorrow" } }] }, {})).toThrow(
      'turns[0].error.resetAt: "tomorrow" is not an ISO 8601 time',
    );
  });
});

describe("parseModelScript", () => {
  it.each([
    [{}, "turns"],
    [{ turns: [{}] }, "a turn needs text, tool calls or an error"],
    [{ turns: [{ text: "x", error: { status: 429 } }] }, "an error turn has no text or tool calls"],
    [
      { turns: [{ text: "x", stopReason: "tool_use" }] },
      'stopReason "tool_use" needs at least one tool call',
    ],
    [{ turns: [{ error: { status: 418 } }] }, "→ at turns[0].error.status"],
    [{ turns: [{ text: "x", toolcalls: [] }] }, 'Unrecognized key: "toolcalls"'],
    [{ turns: [{ toolCalls: [{ name: "", input: {} }] }] }, "→ at turns[0].toolCalls[0].name"],
    [{ turns: [{ forEach: "session", turns: [{ text: "x" }] }] }, "→ at turns[0].forEach"],
    [{ turns: [{ forEach: "feature", turns: [{}] }] }, "→ at turns[0].turns[0]"],
  ])("refuses %j", (value, message) => {
    expect(() => parseModelScript(value)).toThrow(ScriptError);
    expect(() => parseModelScript(value)).toThrow(message);
  });

  it("accepts a JSON script", () => {
    const script = parseModelScript(
      JSON.parse('{"turns":[{"toolCalls":[{"name":"bash","input":{"command":"ls"}}]},{"text":"ok"}]}'),
    );
    expect(script.turns).toHaveLength(2);
  });
});
