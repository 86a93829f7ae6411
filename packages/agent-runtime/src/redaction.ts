/**
 * Secrets never reach a log line: every value of a secret-looking environment variable, and anything shaped like
 * a known API key or bearer token, is replaced before a line leaves the worker.
 */
import { providerCredentialNames } from "@autowright/protocol";

/** Credentials of model providers (from the provider table): the runtime needs them, commands never do. */
export { providerCredentialNames };

const secretNamePattern = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i;
const secretShapes: readonly RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g,
  /sk-(?:proj-)?[A-Za-z0-9_-]{16,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g,
  /\bxox[abpr]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{12,}/gi,
];

/** The replacement for a secret. */
export const redactedMarker = "[redacted]";

/** A function that removes secrets from text. */
export type Redactor = (text: string) => string;

/** Builds a redactor that knows the secret values in `environment` (values of 8+ characters). */
export function createRedactor(environment: Readonly<Record<string, string | undefined>>): Redactor {
  const values = Object.entries(environment)
    .filter(([name, value]) => secretNamePattern.test(name) && value !== undefined && value.length >= 8)
    .map(([, value]) => value as string)
    .sort((left, right) => right.length - left.length);
  return (text) => {
    let result = text;
    for (const value of values) result = result.split(value).join(redactedMarker);
    for (const shape of secretShapes) {
      result = result.replace(shape, (match, prefix: unknown) =>
        typeof prefix === "string" && match.startsWith(prefix)
          ? `${prefix}${redactedMarker}`
          : redactedMarker,
      );
    }
    return result;
  };
}

/** Redacts every string inside a JSON-like value; returns the same object when nothing changed. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (typeof value === "string") {
    const redacted = redact(value);
    return (redacted === value ? value : redacted) as T;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const redacted = redactDeep(item, redact);
      if (redacted !== item) changed = true;
      return redacted;
    });
    return (changed ? items : value) as T;
  }
  if (value !== null && typeof value === "object") {
    let changed = false;
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => {
      const redacted = redactDeep(item, redact);
      if (redacted !== item) changed = true;
      return [key, redacted] as const;
    });
    return (changed ? Object.fromEntries(entries) : value) as T;
  }
  return value;
}

/** Variables known to hold credentials whatever their name says. */
const knownSecretNames: ReadonlySet<string> = new Set([
  ...providerCredentialNames,
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GH_ENTERPRISE_TOKEN",
  "GITLAB_TOKEN",
  "NPM_TOKEN",
  "NODE_AUTH_TOKEN",
  "DOCKER_PASSWORD",
  "PGPASSWORD",
  "MYSQL_PWD",
]);

/** Name parts that say a variable holds a secret. */
const secretNameParts =
  /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|CREDENTIAL|(^|_)O?AUTH(_|$)|(^|_)KEYS?(_|$)|KEY$)/i;

/**
 * Whether a variable's name says it holds a secret: `*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `*PASSWD*`, `*API_KEY*`,
 * `*PRIVATE_KEY*`, `*CREDENTIAL*`, `AUTH` as a word (`SSH_AUTH_SOCK`, `NPM_AUTH`, but not `GIT_AUTHOR_NAME` or
 * `XAUTHORITY`), `KEY` as a word or suffix (`STRIPE_KEY`, `AWS_ACCESS_KEY_ID`), every `AWS_*`, and known ones
 * (`ANTHROPIC_API_KEY`, `OPENAI_API_KEY`, `GITHUB_TOKEN`, `GH_TOKEN`, `NPM_TOKEN`, `PGPASSWORD` …).
 */
export function isSecretName(name: string): boolean {
  return knownSecretNames.has(name) || /^AWS_/i.test(name) || secretNameParts.test(name);
}

/**
 * The environment for the agent's own commands: the session's, without provider credentials and without any
 * variable whose name says it holds a secret (`isSecretName`).
 */
export function commandEnvironment(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const result = { ...environment };
  for (const name of Object.keys(result)) if (isSecretName(name)) delete result[name];
  return result;
}
