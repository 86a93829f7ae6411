import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { credentialStoreMasks, findExecutable, sandboxedCommand } from "./sandbox.ts";

// The stores must live outside /tmp (private in the sandbox anyway), and so may the checkout: /var/tmp is not /tmp.
const scratch = mkdtempSync(
  join(existsSync("/var/tmp") ? "/var/tmp" : homedir(), "autowright-sandbox-test-"),
);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const home = join(scratch, "home");
const project = join(home, "project");
mkdirSync(join(home, ".ssh"), { recursive: true });
mkdirSync(join(home, ".autowright"), { recursive: true });
mkdirSync(project, { recursive: true });
writeFileSync(join(home, ".ssh", "id_rsa"), "PRIVATE KEY");
writeFileSync(join(home, ".netrc"), "machine x password hunter2");
writeFileSync(join(home, ".autowright", "token"), "autowright-token");
writeFileSync(join(home, "notes.txt"), "not a secret");
const locations = { home, autowrightHome: join(home, ".autowright") };

describe("credentialStoreMasks", () => {
  it("hides the stores that exist: tmpfs over directories, /dev/null over files", () => {
    const masks = credentialStoreMasks([project], locations);
    expect(masks.join(" ")).toContain(`--tmpfs ${join(home, ".ssh")}`);
    expect(masks.join(" ")).toContain(`--tmpfs ${join(home, ".autowright")}`);
    expect(masks.join(" ")).toContain(`--ro-bind /dev/null ${join(home, ".netrc")}`);
    expect(masks.join(" ")).not.toContain(join(home, ".aws"));
    expect(masks.join(" ")).not.toContain("notes.txt");
  });

  it("leaves out a store that holds the working folder, and stores under /tmp", () => {
    const inside = join(home, ".autowright", "project");
    expect(credentialStoreMasks([inside], locations).join(" ")).not.toContain(join(home, ".autowright"));
    const temporary = mkdtempSync(join(tmpdir(), "autowright-home-"));
    try {
      mkdirSync(join(temporary, ".ssh"));
      expect(credentialStoreMasks([project], { home: temporary }).join(" ")).not.toContain(temporary);
    } finally {
      rmSync(temporary, { recursive: true, force: true });
    }
  });

  it("puts the masks before the writable folders in the bwrap command line", () => {
    const argv = sandboxedCommand("bwrap", "true", project, [project], locations);
    expect(argv.indexOf(join(home, ".ssh"))).toBeGreaterThan(argv.indexOf("/tmp"));
    expect(argv.indexOf(join(home, ".ssh"))).toBeLessThan(argv.indexOf("--bind"));
  });
});

describe("the bubblewrap sandbox hides credential stores", () => {
  const bwrap = findExecutable("bwrap");
  it.skipIf(bwrap === undefined)(
    "a command the policy would have missed cannot read them (skipped where bwrap is not installed)",
    () => {
      const command = `cat ${home}/.ssh/id_rsa ${home}/.netrc ${home}/.autowright/token ${home}/notes.txt; ls -A ${home}/.ssh`;
      const argv = sandboxedCommand(bwrap as string, command, project, [project], locations);
      const result = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8" });
      expect(result.stdout).not.toContain("PRIVATE KEY");
      expect(result.stdout).not.toContain("hunter2");
      expect(result.stdout).not.toContain("autowright-token");
      expect(result.stdout).toContain("not a secret");
    },
  );
});
