/**
 * The dashboard's files: the built UI when there is one (deep links such as `/projects/:name` get its
 * `index.html`), else a small page that says where the API and the stream are.
 */
import { existsSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import type { HttpApp } from "./http-app.ts";

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".ico": "image/x-icon",
};

const placeholder = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>autowright</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1f2937}
code{background:#f3f4f6;padding:.1rem .3rem;border-radius:.25rem}</style></head>
<body><h1>autowright</h1>
<p>The server is running. The Mission Control dashboard is not built into this copy yet.</p>
<ul><li>REST API: <code>/api</code>, described at <a href="/api/openapi.json"><code>/api/openapi.json</code></a></li>
<li>Live stream of a project: <code>ws://…/ws/projects/NAME?sinceSeq=0</code></li></ul>
</body></html>`;

/** The routes. */
export function uiRoutes(uiDirectory: string | undefined): (app: HttpApp) => void {
  return (app) => {
    const root =
      uiDirectory !== undefined && existsSync(join(uiDirectory, "index.html")) ? uiDirectory : undefined;
    const index = (): string =>
      root === undefined ? placeholder : readFileSync(join(root, "index.html"), "utf8");
    app.get("/", { schema: { hide: true } }, async (_request, reply) =>
      reply.type(contentTypes[".html"] as string).send(index()),
    );
    // The dashboard's own routes (deep links, reloads) get its page.
    for (const path of ["/projects/*", "/settings", "/new"]) {
      app.get(path, { schema: { hide: true } }, async (_request, reply) =>
        reply.type(contentTypes[".html"] as string).send(index()),
      );
    }
    if (root === undefined) return;
    app.get("/assets/*", { schema: { hide: true } }, async (request, reply) => {
      const relative = normalize((request.params as { "*": string })["*"]);
      if (relative.startsWith("..")) return reply.status(404).send();
      const file = join(root, "assets", relative);
      if (!existsSync(file)) return reply.status(404).send();
      return reply
        .type(contentTypes[extname(file)] ?? "application/octet-stream")
        .header("cache-control", "public, max-age=31536000, immutable")
        .send(readFileSync(file));
    });
  };
}
