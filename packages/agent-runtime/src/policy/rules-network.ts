/**
 * Rules for curl and wget: only http(s) URLs on the loopback interface (localhost, 127.0.0.0/8, ::1), so agents
 * can check their own servers but not reach the network. Options that change where a request really goes
 * (`--resolve`, `--connect-to`, non-loopback proxies, Unix sockets) or read options from a file are denied; files
 * written must be inside the project.
 */
import { deny, type Invocation, type Judge, type ProgramRule } from "./judge-types.ts";
import { hasOption, optionValues, scanOptions } from "./option-scanner.ts";
import {
  argumentsOf,
  checkWrites,
  programName,
  rejectInputTail,
  rejectUnknownOptions,
} from "./rule-helpers.ts";
import type { Arg } from "./words.ts";

/** Whether a host name is the local machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    /^127(\.\d{1,3}){3}$/.test(host) ||
    host === "::1" ||
    host === "0.0.0.0" ||
    host === "::ffff:127.0.0.1" ||
    host === "::ffff:7f00:1"
  );
}

/** Why a URL may not be fetched, or `undefined`. `program` names the tool in the message. */
export function urlProblem(arg: Arg, program: string): string | undefined {
  const value = arg.value;
  if (value === undefined) {
    return `"${program}" would fetch ${arg.raw}, which is only known at run time; write the URL literally (only localhost URLs are allowed)`;
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return `"${program}" URL ${value} could not be understood; only plain http://localhost URLs are allowed`;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `"${program}" URL ${value} uses ${url.protocol.slice(0, -1)}; only http and https URLs on localhost are allowed`;
  }
  if (/[{}[\],]/.test(url.hostname.replace(/^\[[0-9a-f:.]+\]$/i, ""))) {
    return `"${program}" URL ${value} uses globbing in its host; write one literal localhost URL`;
  }
  if (!isLoopbackHost(url.hostname)) {
    return `"${program} ${value}" is network access outside localhost; only URLs on localhost, 127.0.0.1 or ::1 are allowed`;
  }
  return undefined;
}

function checkUrls(urls: readonly (Arg | undefined)[], program: string): void {
  for (const url of urls) {
    if (url === undefined) continue;
    const problem = urlProblem(url, program);
    if (problem !== undefined) deny(problem);
  }
}

const curlValueShort = "AbcdDeEFHKmortTuUwxXYyzCPQ";
const curlValueLong = [
  "abstract-unix-socket",
  "cacert",
  "capath",
  "cert",
  "config",
  "connect-timeout",
  "connect-to",
  "cookie",
  "cookie-jar",
  "data",
  "data-ascii",
  "data-binary",
  "data-raw",
  "data-urlencode",
  "dump-header",
  "form",
  "form-string",
  "header",
  "json",
  "key",
  "libcurl",
  "max-time",
  "max-filesize",
  "output",
  "output-dir",
  "preproxy",
  "proxy",
  "proxy-user",
  "range",
  "referer",
  "request",
  "resolve",
  "retry",
  "retry-delay",
  "retry-max-time",
  "socks4",
  "socks4a",
  "socks5",
  "socks5-hostname",
  "stderr",
  "trace",
  "trace-ascii",
  "unix-socket",
  "upload-file",
  "url",
  "user",
  "user-agent",
  "write-out",
  "variable",
  "expand-url",
  "etag-save",
  "hsts",
  "alt-svc",
];

const curl: ProgramRule = (invocation: Invocation, judge: Judge) => {
  const name = programName(invocation);
  rejectInputTail(invocation, "URLs or options");
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: curlValueShort,
    longValue: curlValueLong,
  });
  rejectUnknownOptions(scanned, name);
  for (const option of ["--resolve", "--connect-to"]) {
    if (hasOption(scanned, option))
      deny(`"${name} ${option}" can send a localhost URL elsewhere; leave it out`);
  }
  if (hasOption(scanned, "--unix-socket", "--abstract-unix-socket")) {
    deny(
      `"${name} --unix-socket" talks to local daemons such as Docker; only http URLs on localhost are allowed`,
    );
  }
  if (hasOption(scanned, "-K", "--config")) {
    deny(`"${name} --config" reads options the policy cannot see; pass them on the command line`);
  }
  if (hasOption(scanned, "--variable", "--expand-url")) {
    deny(`"${name} --variable" builds URLs at run time; write the URL literally`);
  }
  checkUrls(
    optionValues(
      scanned,
      "-x",
      "--proxy",
      "--preproxy",
      "--socks4",
      "--socks4a",
      "--socks5",
      "--socks5-hostname",
    ),
    name,
  );
  checkUrls([...scanned.operands, ...optionValues(scanned, "--url")], name);
  checkWrites(
    optionValues(
      scanned,
      "-o",
      "--output",
      "--output-dir",
      "-D",
      "--dump-header",
      "-c",
      "--cookie-jar",
      "--trace",
      "--trace-ascii",
      "--libcurl",
      "--stderr",
      "--etag-save",
      "--hsts",
      "--alt-svc",
    ),
    name,
    judge,
  );
};

const wget: ProgramRule = (invocation, judge) => {
  const name = programName(invocation);
  rejectInputTail(invocation, "URLs or options");
  const scanned = scanOptions(argumentsOf(invocation), {
    shortValue: "OoaPiBeUtTwQlAYRDIXe",
    longValue: [
      "output-document",
      "output-file",
      "append-output",
      "directory-prefix",
      "input-file",
      "base",
      "execute",
      "user-agent",
      "tries",
      "timeout",
      "wait",
      "quota",
      "level",
      "header",
      "post-data",
      "post-file",
      "body-data",
      "body-file",
      "method",
      "user",
      "password",
      "load-cookies",
      "save-cookies",
      "config",
      "use-askpass",
    ],
  });
  rejectUnknownOptions(scanned, name);
  if (hasOption(scanned, "-e", "--execute", "--config", "-i", "--input-file", "--use-askpass")) {
    deny(
      `"${name}" with --execute, --config, --input-file or --use-askpass takes commands or URLs the policy cannot see; pass URLs on the command line`,
    );
  }
  checkUrls(scanned.operands, name);
  const output = optionValues(scanned, "-O", "--output-document").filter((arg) => arg?.value !== "-");
  checkWrites(
    [...output, ...optionValues(scanned, "-o", "--output-file", "-a", "--append-output", "--save-cookies")],
    name,
    judge,
  );
  for (const directory of optionValues(scanned, "-P", "--directory-prefix"))
    checkWrites([directory], name, judge);
};

/** Rules for network tools, by program name. */
export const networkRules: ReadonlyMap<string, ProgramRule> = new Map<string, ProgramRule>([
  ["curl", curl],
  ["wget", wget],
]);
