/**
 * Custom dev commands: one line split into an argument vector the way a shell would split it (single and double
 * quotes, backslash escapes), but run without a shell. So everything only a shell would do (pipes, lists,
 * redirections, substitutions, globs, variables other than `$PORT`/`$HOST`) is refused with a message saying so,
 * instead of being passed on as literal arguments the user did not mean.
 */
import { AppError, devServerCommandMaxLength } from "@autowright/protocol";

/** The variables a command may use; the manager replaces them when it starts the server. */
export const commandPlaceholders = ["PORT", "HOST"] as const;

const placeholderSet: ReadonlySet<string> = new Set(commandPlaceholders);

const advice =
  "it runs without a shell, so put that in a script (an npm script or a shell file) and run the script";

const operatorNames: Record<string, string> = {
  "|": "`|` (a pipe)",
  ";": "`;` (a command list)",
  "&": "`&` (`&&` or a background job)",
  ">": "`>` (a redirection)",
  "<": "`<` (a redirection)",
  "(": "`(` (a subshell)",
  ")": "`)` (a subshell)",
  "`": "`` ` `` (command substitution)",
};

function refuse(message: string, position: number): never {
  throw new AppError("invalid_input", message, { details: { position } });
}

/**
 * Splits a custom dev command into its arguments; throws `invalid_input` with a readable message when it is empty,
 * too long, more than one line, has an unclosed quote, or uses what only a shell understands.
 */
export function parseCommandLine(text: string): string[] {
  if (text.length > devServerCommandMaxLength) {
    refuse(`the dev command is too long (at most ${devServerCommandMaxLength} characters)`, 0);
  }
  // Control characters (newlines included) make a second command for a shell and are invisible in the UI.
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) {
      refuse("the dev command must be one line, without control characters", index);
    }
  }
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let index = 0;
  const checkVariable = (at: number): number => {
    // `text[at]` is `$`: returns how many characters the variable takes (0 when it is a lone literal `$`).
    const rest = text.slice(at + 1);
    if (rest.startsWith("("))
      refuse(`the dev command cannot use \`$(\` (command substitution): ${advice}`, at);
    const braced = /^\{([^}]*)\}/.exec(rest);
    if (braced !== null) {
      const name = braced[1] ?? "";
      if (!placeholderSet.has(name)) refuse(unknownVariable(`\${${name}}`), at);
      return braced[0].length;
    }
    if (rest.startsWith("{")) refuse("the dev command has a `$" + "{` without its `}`", at);
    const named = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9@*#?$!-]/.exec(rest);
    if (named === null) return 0;
    if (!placeholderSet.has(named[0])) refuse(unknownVariable(`$${named[0]}`), at);
    return named[0].length;
  };
  while (index < text.length) {
    const character = text[index] ?? "";
    if (character === " " || character === "\t") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      index += 1;
      continue;
    }
    if (!inWord) {
      if (character === "#") refuse(`the dev command cannot have a \`#\` comment: ${advice}`, index);
      if (character === "~") {
        refuse(
          "the dev command cannot start an argument with `~`: no shell expands it, write the path out",
          index,
        );
      }
      if (words.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(text.slice(index))) {
        refuse(
          "the dev command cannot start with a variable assignment (`NAME=value`): set it in a script, or have the app read its own configuration",
          index,
        );
      }
    }
    inWord = true;
    const operator = operatorNames[character];
    if (operator !== undefined) refuse(`the dev command cannot use ${operator}: ${advice}`, index);
    if (character === "*" || character === "?") {
      refuse(
        `the dev command cannot use \`${character}\` unquoted (a glob): no shell expands it; quote it if it is meant literally`,
        index,
      );
    }
    if (character === "'") {
      const end = text.indexOf("'", index + 1);
      if (end < 0) refuse("the dev command has a `'` that is not closed", index);
      word += text.slice(index + 1, end);
      index = end + 1;
      continue;
    }
    if (character === '"') {
      index += 1;
      let closed = false;
      while (index < text.length) {
        const inner = text[index] ?? "";
        if (inner === '"') {
          closed = true;
          index += 1;
          break;
        }
        if (inner === "\\") {
          const next = text[index + 1];
          if (next === '"' || next === "\\" || next === "$" || next === "`") {
            word += next;
            index += 2;
            continue;
          }
          word += inner;
          index += 1;
          continue;
        }
        if (inner === "`") refuse(`the dev command cannot use ${operatorNames["`"]}: ${advice}`, index);
        if (inner === "$") {
          const length = checkVariable(index);
          word += text.slice(index, index + 1 + length);
          index += 1 + length;
          continue;
        }
        word += inner;
        index += 1;
      }
      if (!closed) refuse('the dev command has a `"` that is not closed', text.length);
      continue;
    }
    if (character === "\\") {
      const next = text[index + 1];
      if (next === undefined) refuse("the dev command ends with a lone `\\`", index);
      word += next;
      index += 2;
      continue;
    }
    if (character === "$") {
      const length = checkVariable(index);
      word += text.slice(index, index + 1 + length);
      index += 1 + length;
      continue;
    }
    word += character;
    index += 1;
  }
  if (inWord) words.push(word);
  if (words.length === 0) refuse("the dev command is empty: send null to use the detected command", 0);
  return words;
}

function unknownVariable(variable: string): string {
  return `the dev command cannot use ${variable}: only $PORT and $HOST are replaced (no shell expands other variables)`;
}

/**
 * Replaces `$PORT`/`${PORT}` and `$HOST`/`${HOST}` in every argument. They are replaced wherever they appear,
 * quoted or not.
 */
export function substitutePlaceholders(
  argv: readonly string[],
  values: { readonly port: number; readonly host: string },
): string[] {
  const byName: Record<string, string> = { PORT: String(values.port), HOST: values.host };
  return argv.map((argument) =>
    argument.replace(/\$\{(PORT|HOST)\}|\$(PORT|HOST)(?![A-Za-z0-9_])/g, (_match, braced, bare) => {
      const name = String(braced ?? bare);
      return byName[name] ?? _match;
    }),
  );
}

/** An argument vector as one line a user can read (and {@link parseCommandLine} reads back). */
export function formatCommandLine(argv: readonly string[]): string {
  return argv
    .map((argument) => {
      const withoutPlaceholders = argument.replace(/\$\{(PORT|HOST)\}|\$(PORT|HOST)(?![A-Za-z0-9_])/g, "");
      if (argument !== "" && /^[A-Za-z0-9_\-.,:/=@%+]*$/.test(withoutPlaceholders)) return argument;
      return `'${argument.replaceAll("'", "'\\''")}'`;
    })
    .join(" ");
}
