/** Environment variables that change what programs run, and how assignments to them are judged. */

/** Variables that load code or redirect program lookup; setting them is always denied. */
const deniedVariables: ReadonlyMap<string, string> = new Map([
  ["LD_PRELOAD", "loads a library into every program"],
  ["LD_AUDIT", "loads a library into every program"],
  ["LD_LIBRARY_PATH", "changes the libraries every program loads"],
  ["BASH_ENV", "makes every bash script run another file first"],
  ["ENV", "makes every shell run another file first"],
  ["PROMPT_COMMAND", "runs a command before every prompt"],
  ["PS4", "runs command substitutions while tracing"],
  ["SHELLOPTS", "changes the options of every shell"],
  ["CDPATH", "makes cd go to directories outside the project"],
  ["BASHOPTS", "changes the options of every shell"],
  ["GIT_CONFIG_PARAMETERS", "passes git settings that can run other programs"],
  ["GIT_CONFIG_COUNT", "passes git settings that can run other programs"],
  ["GIT_CONFIG", "points git at another configuration file"],
  ["GIT_CONFIG_GLOBAL", "points git at another configuration file"],
  ["GIT_CONFIG_SYSTEM", "points git at another configuration file"],
  ["GIT_EXEC_PATH", "makes git run programs from another directory"],
  ["GIT_TEMPLATE_DIR", "installs hooks into new repositories"],
]);

/** Variables whose value is a command line some program will run; the value is judged as a command. */
const commandVariables: ReadonlySet<string> = new Set([
  "GIT_SSH_COMMAND",
  "GIT_SSH",
  "GIT_PAGER",
  "PAGER",
  "MANPAGER",
  "GIT_EDITOR",
  "EDITOR",
  "VISUAL",
  "GIT_SEQUENCE_EDITOR",
  "GIT_EXTERNAL_DIFF",
  "GIT_ASKPASS",
  "SSH_ASKPASS",
  "GIT_PROXY_COMMAND",
  "LESSOPEN",
  "LESSCLOSE",
]);

/** Why setting this variable is denied, if it always is. */
export function deniedVariableReason(name: string): string | undefined {
  if (name.startsWith("DYLD_")) return "changes the libraries every program loads";
  if (name.startsWith("BASH_FUNC_")) return "defines shell functions for every bash started";
  if (/^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(name)) return "passes git settings that can run other programs";
  return deniedVariables.get(name);
}

/** Whether the variable's value is a command that programs will run. */
export function isCommandVariable(name: string): boolean {
  return commandVariables.has(name);
}

/** Variables naming a directory commands will work in; it must be inside the project. */
export const directoryVariables: ReadonlySet<string> = new Set([
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_COMMON_DIR",
]);
