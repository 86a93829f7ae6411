// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${PORT}` is the literal placeholder syntax under test.
import { AppError } from "@autowright/protocol";
import { describe, expect, it } from "vitest";
import { formatCommandLine, parseCommandLine, substitutePlaceholders } from "./command-line.ts";

function refusal(text: string): string {
  try {
    parseCommandLine(text);
  } catch (error) {
    if (AppError.isInstance(error) && error.code === "invalid_input") return error.message;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

describe("parseCommandLine", () => {
  it.each([
    ["npm run dev", ["npm", "run", "dev"]],
    ["  npm   start  ", ["npm", "start"]],
    ["npm\trun\tdev", ["npm", "run", "dev"]],
    ["python3 -m http.server $PORT", ["python3", "-m", "http.server", "$PORT"]],
    [
      "node server.js --port=${PORT} --host $HOST",
      ["node", "server.js", "--port=${PORT}", "--host", "$HOST"],
    ],
    [`node "my app/server.js"`, ["node", "my app/server.js"]],
    [`node 'a | b; c && d > e'`, ["node", "a | b; c && d > e"]],
    [`node "a | b; (c)"`, ["node", "a | b; (c)"]],
    [`echo "say \\"hi\\"" 'it''s'`, ["echo", 'say "hi"', "its"]],
    [`node my\\ app.js`, ["node", "my app.js"]],
    [`node ""`, ["node", ""]],
    [`node "cost $ 5"`, ["node", "cost $ 5"]],
    ["npx vite --port $PORT --strictPort", ["npx", "vite", "--port", "$PORT", "--strictPort"]],
    ["uvicorn main:app --reload", ["uvicorn", "main:app", "--reload"]],
    ["node a#b", ["node", "a#b"]],
    [`node '$HOME'`, ["node", "$HOME"]],
  ])("%s", (text, argv) => {
    expect(parseCommandLine(text)).toEqual(argv);
  });

  it.each([
    ["", /empty/],
    ["   ", /empty/],
    ["npm run dev | tee log", /`\|` \(a pipe\).*without a shell/],
    ["npm run build; npm start", /`;`/],
    ["npm run build && npm start", /`&`/],
    ["npm run dev &", /`&`/],
    ["npm run dev > out.log", /`>` \(a redirection\)/],
    ["node < input", /`<`/],
    ["(npm run dev)", /subshell/],
    ["node $(cat file)", /`\$\(` \(command substitution\)/],
    ["node `cat file`", /command substitution/],
    ['node "$(cat file)"', /command substitution/],
    ['node "`cat file`"', /command substitution/],
    ["node $HOME/app.js", /\$HOME.*only \$PORT and \$HOST/],
    ['node "${SECRET}"', /\$\{SECRET\}/],
    ["node ${PORT", /without its/],
    ["node $1", /\$1/],
    ["npm run dev\nrm -rf /", /one line/],
    ["npm run dev\r", /one line/],
    ["node 'unclosed", /`'` that is not closed/],
    ['node "unclosed', /`"` that is not closed/],
    ["node trailing\\", /lone/],
    ["node *.js", /glob/],
    ["node ~/app.js", /`~`/],
    ["npm run dev # comment", /comment/],
    ["NODE_ENV=production node app.js", /variable assignment/],
    [`node ${"x".repeat(1001)}`, /too long/],
  ])("refuses %j", (text, message) => {
    expect(refusal(text)).toMatch(message);
  });
});

describe("substitutePlaceholders", () => {
  it("replaces $PORT, ${PORT}, $HOST and ${HOST} and nothing else", () => {
    expect(
      substitutePlaceholders(["serve", "$PORT", "--listen=${HOST}:${PORT}", "$HOST", "$PORTS", "$HOME"], {
        port: 4100,
        host: "127.0.0.1",
      }),
    ).toEqual(["serve", "4100", "--listen=127.0.0.1:4100", "127.0.0.1", "$PORTS", "$HOME"]);
  });
});

describe("formatCommandLine", () => {
  it.each([
    [["npm", "run", "dev"], "npm run dev"],
    [["python3", "manage.py", "runserver", "127.0.0.1:$PORT"], "python3 manage.py runserver 127.0.0.1:$PORT"],
    [["node", "my app.js"], "node 'my app.js'"],
    [["node", "it's"], "node 'it'\\''s'"],
    [["node", ""], "node ''"],
  ])("%j → %s, which parses back", (argv, text) => {
    expect(formatCommandLine(argv)).toBe(text);
    expect(parseCommandLine(text)).toEqual(argv);
  });
});
