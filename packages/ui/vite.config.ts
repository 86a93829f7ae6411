import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The dashboard is built into the CLI's dist folder, which the server serves (`/`, `/projects/*`, `/assets/*`). */
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [react(), tailwindcss()],
  build: {
    outDir: fileURLToPath(new URL("../cli/dist/ui", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // `npm run dev -w @autowright/ui` proxies the API and the stream to a running `autowright serve`.
    proxy: {
      "/api": { target: process.env["AUTOWRIGHT_URL"] ?? "http://127.0.0.1:8888", changeOrigin: false },
      "/ws": { target: process.env["AUTOWRIGHT_URL"] ?? "http://127.0.0.1:8888", ws: true },
    },
  },
});
