import { describe, expect, it } from "vitest";
import {
  commandEnvironment,
  createRedactor,
  isSecretName,
  providerCredentialNames,
  redactDeep,
  redactedMarker,
} from "./redaction.ts";

describe("createRedactor", () => {
  const environment = {
    ANTHROPIC_API_KEY: "anthropic-value-1234",
    MY_SERVICE_TOKEN: "tok_abcdefgh",
    DB_PASSWORD: "hunter2!!",
    CLIENT_SECRET: "shh-secret-value",
    AWS_CREDENTIALS: "credential-value",
    SHORT_TOKEN: "1234567",
    HOME: "/home/somebody",
    EDITOR: "vim-editor-value",
    UNSET_KEY: undefined,
  };
  const redact = createRedactor(environment);

  it.each([
    ["key anthropic-value-1234 used", "key [redacted] used"],
    ["tok_abcdefgh", "[redacted]"],
    ["pw=hunter2!!;", "pw=[redacted];"],
    ["shh-secret-value and shh-secret-value", "[redacted] and [redacted]"],
    ["credential-value", "[redacted]"],
  ])("redacts the values of secret-named variables: %j", (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    ["a short secret value stays: 1234567", "a short secret value stays: 1234567"],
    ["cd /home/somebody", "cd /home/somebody"],
    ["EDITOR=vim-editor-value", "EDITOR=vim-editor-value"],
    ["nothing secret here", "nothing secret here"],
  ])("leaves short values and non-secret names untouched: %j", (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it("redacts the longest value first when one secret contains another", () => {
    const nested = createRedactor({ OUTER_TOKEN: "prefix-inner-secret-suffix", INNER_TOKEN: "inner-secret" });
    expect(nested("prefix-inner-secret-suffix / inner-secret")).toBe("[redacted] / [redacted]");
  });

  it.each([
    ["ANTHROPIC=sk-ant-api03-AbCdEf123456_-xyz", "ANTHROPIC=[redacted]"],
    ["key sk-proj-AbCdEfGhIjKlMnOpQrSt done", "key [redacted] done"],
    ["sk-AbCdEfGhIjKlMnOpQr", "[redacted]"],
    ["token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "token [redacted]"],
    ["gho_ABCDEFGHIJKLMNOPQRST1234", "[redacted]"],
    ["xoxb-1234567890-abcdef", "[redacted]"],
    ["AKIAABCDEFGHIJKLMNOP", "[redacted]"],
    ["Authorization: Bearer abc.def-ghi_jkl~mno", "Authorization: Bearer [redacted]"],
    ["authorization: bearer abcdefghijklmnop", "authorization: bearer [redacted]"],
  ])("redacts known key shapes even when not in the environment: %j", (text, expected) => {
    expect(createRedactor({})(text)).toBe(expected);
  });

  it.each(["sk-ant-short", "sk-tooshort123", "ghp_short", "Bearer short", "task-runner and desk-lamp"])(
    "leaves text that only looks like the start of a key: %j",
    (text) => {
      expect(createRedactor({})(text)).toBe(text);
    },
  );

  it("uses the exported marker", () => {
    expect(redactedMarker).toBe("[redacted]");
  });
});

describe("redactDeep", () => {
  const redact = createRedactor({ API_TOKEN: "super-secret-token" });

  it("redacts strings nested in objects and arrays, leaving other values", () => {
    const value = {
      line: "token=super-secret-token",
      count: 3,
      flag: true,
      nothing: null,
      list: ["plain", "super-secret-token", { deep: ["Bearer abcdefghijklmnop"] }],
    };
    expect(redactDeep(value, redact)).toEqual({
      line: "token=[redacted]",
      count: 3,
      flag: true,
      nothing: null,
      list: ["plain", "[redacted]", { deep: ["Bearer [redacted]"] }],
    });
    expect(value.line).toBe("token=super-secret-token");
  });

  it("returns the same objects where nothing changed", () => {
    const untouched = { a: ["x", { b: "y" }] };
    const value = { changed: "super-secret-token", untouched };
    const result = redactDeep(value, redact);
    expect(result).not.toBe(value);
    expect(result.untouched).toBe(untouched);
  });

  it.each([{ a: "plain", b: [1, "two", { c: null }] }, ["plain", ["nested"]], "plain", 42, null, undefined])(
    "returns %j itself when it holds no secret",
    (value) => {
      expect(redactDeep(value, redact)).toBe(value);
    },
  );

  it("redacts a top-level string", () => {
    expect(redactDeep("super-secret-token!", redact)).toBe("[redacted]!");
  });
});

describe("commandEnvironment", () => {
  it("removes the provider credentials and every secret-looking variable, and nothing else", () => {
    const environment: NodeJS.ProcessEnv = {
      ANTHROPIC_API_KEY: "a",
      ANTHROPIC_AUTH_TOKEN: "b",
      CLAUDE_CODE_OAUTH_TOKEN: "c",
      OPENAI_API_KEY: "d",
      GITHUB_TOKEN: "e",
      NPM_TOKEN: "f",
      GH_TOKEN: "g",
      AWS_ACCESS_KEY_ID: "h",
      AWS_REGION: "eu-west-1",
      DATABASE_PASSWORD: "i",
      STRIPE_SECRET: "j",
      MY_PRIVATE_KEY: "k",
      GOOGLE_APPLICATION_CREDENTIALS: "/x.json",
      BASIC_AUTH: "l",
      PGPASSWORD: "m",
      PATH: "/usr/bin",
      HOME: "/home/ada",
      GIT_AUTHOR_NAME: "Ada Lovelace",
      XAUTHORITY: "/home/ada/.Xauthority",
      ANTHROPIC_BASE_URL: "http://localhost:1",
    };
    expect(commandEnvironment(environment)).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/ada",
      GIT_AUTHOR_NAME: "Ada Lovelace",
      XAUTHORITY: "/home/ada/.Xauthority",
      ANTHROPIC_BASE_URL: "http://localhost:1",
    });
    expect(environment["ANTHROPIC_API_KEY"]).toBe("a");
  });

  it.each([
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "NPM_TOKEN",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "aws_secret_access_key",
    "SENTRY_AUTH_TOKEN",
    "SLACK_APIKEY",
    "DB_PASSWD",
    "SSH_PRIVATEKEY",
    "SSH_AUTH_SOCK",
    "OAUTH_CLIENT",
    "STRIPE_KEY",
    "LICENSE_KEYS",
  ])("isSecretName(%j) is true", (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    "PATH",
    "HOME",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "XAUTHORITY",
    "NODE_ENV",
    "KEYBOARD",
    "CI",
  ])("isSecretName(%j) is false", (name) => {
    expect(isSecretName(name)).toBe(false);
  });

  it("names exactly the four provider credentials", () => {
    expect([...providerCredentialNames]).toEqual([
      "ANTHROPIC_API_KEY",
      "ANTHROPIC_AUTH_TOKEN",
      "CLAUDE_CODE_OAUTH_TOKEN",
      "OPENAI_API_KEY",
    ]);
  });
});

describe("names that only look secret", () => {
  it("leaves GIT_AUTHOR_NAME, SSH_AUTH_SOCK and XAUTHORITY alone but redacts *_TOKEN", () => {
    const redact = createRedactor({
      GIT_AUTHOR_NAME: "Ada Lovelace",
      SSH_AUTH_SOCK: "/tmp/ssh-agent.sock",
      XAUTHORITY: "/home/ada/.Xauthority",
      SERVICE_AUTH_TOKEN: "token-value-123456",
    });
    expect(redact("Ada Lovelace /tmp/ssh-agent.sock /home/ada/.Xauthority token-value-123456")).toBe(
      `Ada Lovelace /tmp/ssh-agent.sock /home/ada/.Xauthority ${redactedMarker}`,
    );
  });
});
