/**
 * Which OS isolation is available on this machine. With bubblewrap (`bwrap`) and `socat`, Claude Code runs the
 * agent's commands in its sandbox and scrubs secrets from their environment; without them, the command policy,
 * file confinement and redaction are the layers.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The path of an executable on PATH, or undefined. */
export function findExecutable(
  name: string,
  environment: NodeJS.ProcessEnv = process.env,
): string | undefined {
  for (const directory of (environment["PATH"] ?? "").split(delimiter)) {
    if (directory === "") continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** The protection layers of a session, for the dashboard and the logs. */
export interface SecurityLayers {
  readonly commandPolicy: true;
  readonly fileConfinement: true;
  readonly secretRedaction: true;
  /** Claude Code's sandbox (bubblewrap + socat) for the commands of Claude sessions. */
  readonly sandbox: boolean;
}

/** The layers active on this machine. */
export function securityLayers(environment: NodeJS.ProcessEnv = process.env): SecurityLayers {
  return {
    commandPolicy: true,
    fileConfinement: true,
    secretRedaction: true,
    sandbox:
      findExecutable("bwrap", environment) !== undefined &&
      findExecutable("socat", environment) !== undefined,
  };
}
