import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { temporaryDirectory } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { detectDevCommand } from "./detect-command.ts";

const python = process.platform === "win32" ? "python" : "python3";
const uvicornFlags = ["--host", "127.0.0.1", "--port", "$PORT"];

const cases: { name: string; files: Record<string, string>; argv: string[]; source: RegExp }[] = [
  {
    name: "package.json dev script",
    files: { "package.json": JSON.stringify({ scripts: { dev: "vite", start: "node server.js" } }) },
    argv: ["npm", "run", "dev"],
    source: /package\.json scripts\.dev/,
  },
  {
    name: "package.json start script",
    files: { "package.json": JSON.stringify({ scripts: { start: "node server.js" } }) },
    argv: ["npm", "start"],
    source: /scripts\.start/,
  },
  {
    name: "pnpm lockfile",
    files: { "package.json": JSON.stringify({ scripts: { dev: "next dev" } }), "pnpm-lock.yaml": "" },
    argv: ["pnpm", "run", "dev"],
    source: /scripts\.dev/,
  },
  {
    name: "yarn lockfile, start",
    files: { "package.json": JSON.stringify({ scripts: { start: "node ." } }), "yarn.lock": "" },
    argv: ["yarn", "start"],
    source: /scripts\.start/,
  },
  {
    name: "packageManager field wins over lockfiles",
    files: {
      "package.json": JSON.stringify({ packageManager: "bun@1.1.0", scripts: { dev: "bun server.ts" } }),
      "package-lock.json": "{}",
    },
    argv: ["bun", "run", "dev"],
    source: /scripts\.dev/,
  },
  {
    name: "Django",
    files: { "manage.py": "import django\n" },
    argv: [python, "manage.py", "runserver", "127.0.0.1:$PORT"],
    source: /Django/,
  },
  {
    name: "Django in a virtualenv",
    files: { "manage.py": "", ".venv/bin/python": "" },
    argv: [
      process.platform === "win32" ? ".venv\\Scripts\\python.exe" : ".venv/bin/python",
      "manage.py",
      "runserver",
      "127.0.0.1:$PORT",
    ],
    source: /Django/,
  },
  {
    name: "FastAPI in main.py",
    files: { "main.py": "from fastapi import FastAPI\n\napi = FastAPI()\n" },
    argv: [python, "-m", "uvicorn", "main:api", ...uvicornFlags],
    source: /main\.py \(FastAPI\)/,
  },
  {
    name: "FastAPI through poetry",
    files: {
      "main.py": "import fastapi\napp = fastapi.FastAPI()\n",
      "pyproject.toml": '[tool.poetry]\nname = "x"\n',
      "poetry.lock": "",
    },
    argv: ["poetry", "run", "python", "-m", "uvicorn", "main:app", ...uvicornFlags],
    source: /FastAPI/,
  },
  {
    name: "Flask in app.py",
    files: { "app.py": "from flask import Flask\nserver: Flask = Flask(__name__)\n" },
    argv: [python, "-m", "flask", "--app", "app:server", "run", "--host", "127.0.0.1", "--port", "$PORT"],
    source: /app\.py \(Flask\)/,
  },
  {
    name: "Flask through uv",
    files: { "app.py": "from flask import Flask\napp = Flask(__name__)\n", "uv.lock": "" },
    argv: [
      "uv",
      "run",
      "python",
      "-m",
      "flask",
      "--app",
      "app:app",
      "run",
      "--host",
      "127.0.0.1",
      "--port",
      "$PORT",
    ],
    source: /Flask/,
  },
  {
    name: "a script that runs uvicorn itself",
    files: { "main.py": "import uvicorn\nfrom api import app\nuvicorn.run(app, port=8000)\n" },
    argv: [python, "main.py"],
    source: /runs uvicorn itself/,
  },
  {
    name: "uvicorn named in requirements.txt only",
    files: { "main.py": "from api import app\n", "requirements.txt": "uvicorn[standard]==0.30\n" },
    argv: [python, "-m", "uvicorn", "main:app", ...uvicornFlags],
    source: /requirements/,
  },
  {
    name: "Go",
    files: { "go.mod": "module example.com/app\n" },
    argv: ["go", "run", "."],
    source: /go\.mod/,
  },
  {
    name: "Rust",
    files: { "Cargo.toml": '[package]\nname = "app"\n' },
    argv: ["cargo", "run"],
    source: /Cargo\.toml/,
  },
  {
    name: "package.json without scripts falls through to Go",
    files: { "package.json": JSON.stringify({ name: "tools" }), "go.mod": "module x\n" },
    argv: ["go", "run", "."],
    source: /go\.mod/,
  },
];

function project(files: Record<string, string>): ReturnType<typeof temporaryDirectory> {
  const directory = temporaryDirectory("autowright-detect-");
  for (const [name, text] of Object.entries(files)) {
    const path = join(directory.path, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return directory;
}

describe("detectDevCommand", () => {
  it.each(cases)("$name", ({ files, argv, source }) => {
    using directory = project(files);
    const detection = detectDevCommand(directory.path);
    expect(detection.argv).toEqual(argv);
    expect(detection.argv === null ? "" : detection.source).toMatch(source);
  });

  it.each<{ name: string; files: Record<string, string>; reason: RegExp }>([
    { name: "an empty folder", files: {}, reason: /no dev command recognised.*package\.json.*go\.mod/ },
    {
      name: "package.json without dev or start",
      files: { "package.json": JSON.stringify({ scripts: { test: "vitest" } }) },
      reason: /package\.json has no dev or start script/,
    },
    { name: "package.json that is not JSON", files: { "package.json": "{oops" }, reason: /not a valid JSON/ },
    {
      name: "a main.py that is not a web app",
      files: { "main.py": "print('hello')\n" },
      reason: /main\.py shows no Flask, FastAPI or uvicorn app/,
    },
    { name: "a folder named package.json", files: { "package.json/x": "" }, reason: /no dev command/ },
  ])("nothing for $name, with the reason", ({ files, reason }) => {
    using directory = project(files);
    const detection = detectDevCommand(directory.path);
    expect(detection.argv).toBeNull();
    expect(detection.argv === null ? detection.reason : "").toMatch(reason);
  });
});
