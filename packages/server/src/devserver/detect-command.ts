/**
 * Which command runs a project's app when the user set none: recognised from the files at the project's root, in
 * this order: package.json scripts (`dev`, then `start`, with the package manager its lockfile names), Django
 * (`manage.py`), a Flask/FastAPI/uvicorn app in `main.py` or `app.py`, Go (`go.mod`), Rust (`Cargo.toml`).
 * Commands carry `$PORT` where the app needs to be told its port; the manager replaces it.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** What {@link detectDevCommand} found: a command and where it comes from, or why there is none. */
export type DevCommandDetection =
  | { readonly argv: readonly string[]; readonly source: string }
  | { readonly argv: null; readonly reason: string };

const maxReadBytes = 512 * 1024;

function readText(path: string): string | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isFile() || stat.size > maxReadBytes) return undefined;
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

type PackageManager = "npm" | "pnpm" | "yarn" | "bun";

function packageManagerOf(root: string, declared: unknown): PackageManager {
  if (typeof declared === "string") {
    const name = declared.split("@")[0];
    if (name === "npm" || name === "pnpm" || name === "yarn" || name === "bun") return name;
  }
  if (existsSync(join(root, "pnpm-lock.yaml"))) return "pnpm";
  if (existsSync(join(root, "yarn.lock"))) return "yarn";
  if (existsSync(join(root, "bun.lockb")) || existsSync(join(root, "bun.lock"))) return "bun";
  return "npm";
}

function scriptCommand(manager: PackageManager, script: "dev" | "start"): string[] {
  if (script === "start" && manager !== "bun") return [manager, "start"];
  return [manager, "run", script];
}

function detectNode(root: string, notes: string[]): DevCommandDetection | undefined {
  const file = join(root, "package.json");
  if (!isFile(file)) return undefined;
  const text = readText(file);
  let manifest: unknown;
  try {
    manifest = text === undefined ? undefined : JSON.parse(text);
  } catch {
    manifest = undefined;
  }
  if (typeof manifest !== "object" || manifest === null) {
    notes.push("package.json is not a valid JSON object");
    return undefined;
  }
  const { scripts, packageManager } = manifest as { scripts?: unknown; packageManager?: unknown };
  const scriptTable =
    typeof scripts === "object" && scripts !== null ? (scripts as Record<string, unknown>) : {};
  for (const script of ["dev", "start"] as const) {
    const body = scriptTable[script];
    if (typeof body === "string" && body.trim() !== "") {
      return {
        argv: scriptCommand(packageManagerOf(root, packageManager), script),
        source: `package.json scripts.${script}`,
      };
    }
  }
  notes.push("package.json has no dev or start script");
  return undefined;
}

/** How to run Python here: through poetry or uv when the project uses them, else its virtualenv, else python3. */
function pythonOf(root: string): string[] {
  const pyproject = readText(join(root, "pyproject.toml")) ?? "";
  if (/^\[tool\.poetry\]/m.test(pyproject) && existsSync(join(root, "poetry.lock"))) {
    return ["poetry", "run", "python"];
  }
  if (existsSync(join(root, "uv.lock"))) return ["uv", "run", "python"];
  const windows = process.platform === "win32";
  for (const environment of [".venv", "venv"]) {
    const relative = windows ? `${environment}\\Scripts\\python.exe` : `${environment}/bin/python`;
    if (existsSync(join(root, relative))) return [relative];
  }
  return [windows ? "python" : "python3"];
}

function applicationVariable(source: string, className: string): string {
  const match = new RegExp(
    `^([A-Za-z_][A-Za-z0-9_]*)\\s*(?::[^=\\n]+)?=\\s*(?:[A-Za-z_][A-Za-z0-9_]*\\.)?${className}\\s*\\(`,
    "m",
  ).exec(source);
  return match?.[1] ?? "app";
}

const importsOf = (source: string, module: string): boolean =>
  new RegExp(`^\\s*(?:from\\s+${module}(?:\\.|\\s)|import\\s+${module}\\b)`, "m").test(source);

function detectPython(root: string, notes: string[]): DevCommandDetection | undefined {
  if (isFile(join(root, "manage.py"))) {
    return {
      argv: [...pythonOf(root), "manage.py", "runserver", "127.0.0.1:$PORT"],
      source: "manage.py (Django)",
    };
  }
  const requirements = [
    readText(join(root, "requirements.txt")) ?? "",
    readText(join(root, "pyproject.toml")) ?? "",
  ].join("\n");
  const requires = (name: string): boolean =>
    new RegExp(`^\\s*["']?${name}(?![\\w.-])`, "mi").test(requirements) ||
    new RegExp(`["']${name}[\\[<>=~!; "']`, "i").test(requirements);
  const uvicornFlags = ["--host", "127.0.0.1", "--port", "$PORT"];
  for (const fileName of ["main.py", "app.py"]) {
    const source = readText(join(root, fileName));
    if (source === undefined) continue;
    const module = fileName.slice(0, -".py".length);
    const python = pythonOf(root);
    if (importsOf(source, "fastapi")) {
      const variable = applicationVariable(source, "FastAPI");
      return {
        argv: [...python, "-m", "uvicorn", `${module}:${variable}`, ...uvicornFlags],
        source: `${fileName} (FastAPI)`,
      };
    }
    if (importsOf(source, "flask")) {
      const variable = applicationVariable(source, "Flask");
      return {
        argv: [
          ...python,
          "-m",
          "flask",
          "--app",
          `${module}:${variable}`,
          "run",
          "--host",
          "127.0.0.1",
          "--port",
          "$PORT",
        ],
        source: `${fileName} (Flask)`,
      };
    }
    if (/\buvicorn\.run\s*\(/.test(source)) {
      return { argv: [...python, fileName], source: `${fileName} (runs uvicorn itself)` };
    }
    if (importsOf(source, "starlette")) {
      const variable = applicationVariable(source, "Starlette");
      return {
        argv: [...python, "-m", "uvicorn", `${module}:${variable}`, ...uvicornFlags],
        source: `${fileName} (Starlette)`,
      };
    }
    if (requires("fastapi") || requires("uvicorn")) {
      return {
        argv: [...python, "-m", "uvicorn", `${module}:app`, ...uvicornFlags],
        source: `${fileName} (uvicorn in the requirements)`,
      };
    }
    if (requires("flask")) {
      return {
        argv: [...python, "-m", "flask", "--app", module, "run", "--host", "127.0.0.1", "--port", "$PORT"],
        source: `${fileName} (Flask in the requirements)`,
      };
    }
    notes.push(`${fileName} shows no Flask, FastAPI or uvicorn app`);
  }
  return undefined;
}

/**
 * The command that runs the app in `root`, with where it was found, or (`argv: null`) why nothing was recognised.
 * Reads a few small files; never runs anything.
 */
export function detectDevCommand(root: string): DevCommandDetection {
  const notes: string[] = [];
  const found =
    detectNode(root, notes) ??
    detectPython(root, notes) ??
    (isFile(join(root, "go.mod")) ? { argv: ["go", "run", "."], source: "go.mod (Go)" } : undefined) ??
    (isFile(join(root, "Cargo.toml")) ? { argv: ["cargo", "run"], source: "Cargo.toml (Rust)" } : undefined);
  if (found !== undefined) return found;
  const looked =
    "looked for a dev or start script in package.json, manage.py, a Flask/FastAPI/uvicorn app in main.py or app.py, go.mod and Cargo.toml";
  return {
    argv: null,
    reason: `no dev command recognised: ${looked}${notes.length === 0 ? "" : ` (${notes.join("; ")})`}`,
  };
}
