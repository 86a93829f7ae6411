/**
 * `autowright serve` (also plain `autowright` and `npm start`): the server on 127.0.0.1:8888 (or the next free
 * port). Prints the URL with its token and opens the browser unless headless or `--no-open`. A second server for
 * the same home directory is not started: the running one's URL is printed instead. Ctrl-C stops every run, dev
 * server and terminal before it exits.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { AppError } from "@autowright/protocol";
import { startServer } from "@autowright/server";
import { type GlobalOptions, homeFor } from "../context.ts";
import type { CliIo } from "../io.ts";
import { version } from "../version.ts";

/** Options of `serve`. */
export interface ServeOptions extends GlobalOptions {
  readonly port?: string;
  readonly host?: string;
  /** Commander's `--no-open` sets this to false. */
  readonly open?: boolean;
}

/** Runs `serve` until SIGINT/SIGTERM; resolves to the exit code. */
export async function serveCommand(options: ServeOptions, io: CliIo): Promise<number> {
  const home = homeFor(options, io);
  let port: number | undefined;
  if (options.port !== undefined) {
    port = Number(options.port);
    if (!/^[0-9]{1,5}$/.test(options.port) || port > 65_535)
      throw new AppError(
        "invalid_input",
        `--port must be a port number (0 to 65535), got ${JSON.stringify(options.port)}`,
      );
  }
  const host = options.host ?? "127.0.0.1";
  // The signal handlers come first: a SIGTERM that arrives while starting, or right after the link is printed,
  // must still stop the server cleanly.
  let stopRequested: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stopRequested = resolve;
  });
  const stop = (): void => {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    io.stderr("autowright: stopping (runs, dev servers and terminals are stopped first)\n");
    stopRequested();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      home,
      host,
      allowRemote: options.host !== undefined,
      ...(port === undefined ? {} : { port, exactPort: true }),
      env: io.env,
      version,
      // AUTOWRIGHT_UI_DIR serves a dashboard built elsewhere (development: `vite build --outDir`).
      uiDirectory: io.env["AUTOWRIGHT_UI_DIR"] ?? join(dirname(process.argv[1] ?? "."), "..", "dist", "ui"),
    });
  } catch (error) {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    const openUrl = AppError.isInstance(error) ? error.details?.["openUrl"] : undefined;
    if (typeof openUrl === "string") {
      io.stdout(`autowright is already running for ${home}: ${openUrl}\n`);
      return 0;
    }
    throw error;
  }
  if (host !== "127.0.0.1" && host !== "localhost" && host !== "::1") {
    io.stderr(
      `autowright: warning: listening on ${host}, reachable from the network; every request still needs the token\n`,
    );
  }
  io.stdout(`autowright ${version} serving ${home}\nMission Control: ${server.openUrl}\n`);
  if (options.open !== false && !headless(io.env)) openBrowser(server.openUrl);

  await stopped;
  await server.close();
  return 0;
}

/** No browser to open: CI, no display, or asked not to. */
function headless(env: NodeJS.ProcessEnv): boolean {
  if (env["CI"] !== undefined || env["AUTOWRIGHT_NO_OPEN"] !== undefined) return true;
  if (process.platform === "linux" && env["DISPLAY"] === undefined && env["WAYLAND_DISPLAY"] === undefined)
    return true;
  return false;
}

function openBrowser(url: string): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "cmd" : "xdg-open";
  const args = process.platform === "win32" ? ["/c", "start", "", url] : [url];
  try {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // No browser: the URL is printed.
  }
}
