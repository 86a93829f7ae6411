import { describe, expect, it } from "vitest";
import { scanAwkProgram, scanSedScript } from "./script-languages.ts";

describe("scanSedScript", () => {
  const cases: readonly [string, boolean, string[]][] = [
    ["s/foo/bar/g", false, []],
    ["s|a/b|c|", false, []],
    ["/x/d; 1,3p", false, []],
    ["s/x/y/e", true, []],
    ["1e id", true, []],
    ["$!N; s/\\n/ /", false, []],
    ["w out.txt", false, ["out.txt"]],
    ["s/a/b/w /etc/x", false, ["/etc/x"]],
    ["/start/,/end/ { s/e/E/g }", false, []],
    ["a\\\nappended e text", false, []],
    ["y/abc/xyz/", false, []],
  ];
  it.each(cases)("%j", (script, executes, writes) => {
    expect(scanSedScript(script)).toEqual({ executes, writes });
  });
});

describe("scanAwkProgram", () => {
  const cases: readonly [string, boolean, string[], boolean][] = [
    ["{ print $1 }", false, [], false],
    ["$3 > 100 { print $1 }", false, [], false],
    ["/a|b/ { print }", false, [], false],
    ['{ print "a|b" }', false, [], false],
    ["$1 == 1 || $2 == 2", false, [], false],
    ['BEGIN { system("id") }', true, [], false],
    ['{ print | "sh" }', true, [], false],
    ['{ "date" | getline d }', true, [], false],
    ['{ print > "out.txt" }', false, ["out.txt"], false],
    ['{ printf "%s", $0 >> "log.txt" }', false, ["log.txt"], false],
    ['{ print > $2 ".txt" }', false, [], true],
    ["{ print ($1 > 2) }", false, [], false],
    ['# system("id")\n{ print }', false, [], false],
  ];
  it.each(cases)("%j", (program, executes, writes, computedWrite) => {
    expect(scanAwkProgram(program)).toEqual({ executes, writes, computedWrite });
  });
});
