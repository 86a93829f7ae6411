import { execFileSync } from "node:child_process";
import { eventually } from "@autowright/testkit";
import { describe, expect, it } from "vitest";
import { spawnThroughHelper } from "./process-spawner.ts";

/** The helper processes (`node -e …`) that are children of this process. */
function helperProcesses(): string[] {
  const output = execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], {
    encoding: "utf8",
  });
  return output
    .split("\n")
    .filter((line) => line.includes(" -e ") && line.includes("child_process"))
    .map((line) => line.trim());
}

describe("spawnThroughHelper", () => {
  it("runs a command with exactly the given environment and returns its exit code and outputs", async () => {
    const result = await spawnThroughHelper({
      file: "sh",
      args: ["-c", 'printf "%s" "$GREETING"; printf "oops" >&2; [ -z "$HOME" ] && printf unset >&2; exit 3'],
      cwd: "/",
      env: { PATH: process.env["PATH"] ?? "", GREETING: "hello" },
    });
    expect(result).toEqual({ code: 3, stdout: "hello", stderr: "oopsunset" });
  });

  it("runs requests at the same time, each answered with its own result", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        spawnThroughHelper({
          file: "sh",
          args: ["-c", `sleep 0.0${index}; echo ${index}`],
          cwd: "/",
          env: { PATH: process.env["PATH"] ?? "" },
        }),
      ),
    );
    expect(results.map((result) => result.stdout.trim())).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
  });

  it("reports a program that cannot start, and a missing working directory", async () => {
    const missing = await spawnThroughHelper({
      file: "no-such-program-autowright",
      args: [],
      cwd: "/",
      env: { PATH: process.env["PATH"] ?? "" },
    });
    expect(missing.startError).toMatch(/ENOENT/);
    const nowhere = await spawnThroughHelper({
      file: "sh",
      args: ["-c", "true"],
      cwd: "/no/such/directory",
      env: { PATH: process.env["PATH"] ?? "" },
    });
    expect(nowhere.startError).toMatch(/ENOENT/);
  });

  it("kills the command when aborted", async () => {
    const controller = new AbortController();
    const running = spawnThroughHelper({
      file: "sh",
      args: ["-c", "echo started; exec sleep 30"],
      cwd: "/",
      env: { PATH: process.env["PATH"] ?? "" },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    const result = await running;
    expect(result.code).toBeNull();
  });

  it("leaves no helper process behind once it has been idle", async () => {
    await spawnThroughHelper({ file: "true", args: [], cwd: "/", env: { PATH: process.env["PATH"] ?? "" } });
    expect(helperProcesses().length).toBeGreaterThanOrEqual(1);
    await eventually(() => helperProcesses().length === 0);
    expect(helperProcesses()).toEqual([]);
    // And a new request starts a new one.
    const again = await spawnThroughHelper({
      file: "sh",
      args: ["-c", "echo again"],
      cwd: "/",
      env: { PATH: process.env["PATH"] ?? "" },
    });
    expect(again.stdout).toBe("again\n");
  });
});
