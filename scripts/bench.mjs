// Runs the benchmarks in bench/*.bench.ts, one child process each (so one cannot warm up another).
// `npm run bench` runs all; `npm run bench -- NAME` runs bench/NAME.bench.ts. Each prints one JSON line.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDirectory = fileURLToPath(new URL("../bench/", import.meta.url));
const available = readdirSync(benchDirectory)
  .filter((file) => file.endsWith(".bench.ts"))
  .map((file) => file.slice(0, -".bench.ts".length))
  .sort();
const requested = process.argv.slice(2).filter((argument) => !argument.startsWith("-"));
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown benchmark ${unknown.join(", ")} (available: ${available.join(", ")})\n`,
  );
  process.exit(1);
}
let failed = 0;
for (const name of requested.length > 0 ? requested : available) {
  const result = spawnSync(process.execPath, ["--import", "tsx", `${benchDirectory}${name}.bench.ts`], {
    stdio: "inherit",
  });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
