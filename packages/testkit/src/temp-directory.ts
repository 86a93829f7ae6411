/** Temporary directories that remove themselves (`using directory = temporaryDirectory()`). */
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temporary directory, resolved, removed on dispose. */
export interface TemporaryDirectory extends Disposable {
  readonly path: string;
}

/** Creates a temporary directory whose name starts with `prefix`. */
export function temporaryDirectory(prefix = "autowright-test-"): TemporaryDirectory {
  const path = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  return {
    path,
    [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }),
  };
}
