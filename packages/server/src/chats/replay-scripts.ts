/**
 * What a chat says with the `replay` provider when no script is given: a short, plausible conversation per kind
 * (the spec chat asks one question and writes a two-feature spec; the expand chat adds two features; the assistant
 * reads the backlog stats), then polite filler so a demo can go on talking.
 */
import type { ChatKind } from "@autowright/protocol";
import type { ModelScript, ScriptTurn } from "@autowright/scripted-model";

const fillerTurns = 20;

function filler(): ScriptTurn[] {
  return Array.from({ length: fillerTurns }, () => ({
    text: "This is the offline replay model: it has nothing more to add. Choose a real provider in the settings for a real conversation.",
  }));
}

/** The replay spec written by the default spec script. */
export const replaySpecContent = `# App specification

## Overview
A small demo app, specified by the offline replay interview.

## Technology
Node.js with the built-in test runner (\`npm test\`).

## Features
- Show a greeting on the home page
- Count the visits of the home page

## Constraints
Keep it small.

## Success criteria
Every feature has a passing test.`;

/** The default replay script of a kind of chat. */
export function defaultChatReplayScript(kind: ChatKind): ModelScript {
  switch (kind) {
    case "spec":
      return {
        turns: [
          {
            text: "Let's write your app's specification. First:",
            toolCalls: [
              {
                name: "ask_question",
                input: {
                  question: "How detailed should the specification be?",
                  options: ["Quick", "Detailed"],
                },
              },
            ],
          },
          { toolCalls: [{ name: "write_spec", input: { content: replaySpecContent, featureCount: 2 } }] },
          {
            text: "The specification is written. The initializer will turn it into a backlog of 2 features.",
          },
          ...filler(),
        ],
      };
    case "expand":
      return {
        turns: [
          {
            toolCalls: [
              {
                name: "feature_create_bulk",
                input: {
                  features: [
                    {
                      category: "expansion",
                      name: "Export the data as CSV",
                      description: "A user downloads their data as a CSV file.",
                      steps: ["Click Export", "A CSV file with every row downloads"],
                    },
                    {
                      category: "expansion",
                      name: "Import data from CSV",
                      description: "A user uploads a CSV file exported earlier.",
                      steps: ["Upload an exported CSV", "The rows appear"],
                      depends_on_indices: [0],
                    },
                  ],
                },
              },
            ],
          },
          { text: "I added 2 features: CSV export, and CSV import (which builds on the export)." },
          ...filler(),
        ],
      };
    case "assistant":
      return {
        turns: [
          { toolCalls: [{ name: "feature_get_stats", input: {} }] },
          { text: "Those are the backlog's numbers (an offline replay answer)." },
          ...filler(),
        ],
      };
  }
}
