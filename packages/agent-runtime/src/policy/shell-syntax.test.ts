import { describe, expect, it } from "vitest";
import type { BinaryCmd, CallExpr, Lit, ParamExp, Redirect, Stmt, Word } from "./shell-ast.ts";
import { walkAll } from "./shell-ast.ts";
import { parseShell } from "./shell-syntax.ts";
import { expandWord } from "./words.ts";

function parse(text: string) {
  const result = parseShell(text);
  if (!result.ok) throw new Error(result.message);
  return result;
}

describe("parseShell", () => {
  it("converts the Go tree into plain nodes with the Go field names", () => {
    const { file } = parse("FOO=1 echo hi > out.txt && ls | wc -l");
    const top = file.Stmts[0] as Stmt;
    const and = top.Cmd as BinaryCmd;
    expect(and.type).toBe("BinaryCmd");
    expect(and.Op).toBe(10);
    const call = and.X.Cmd as CallExpr;
    expect(call.Assigns[0]?.Name?.Value).toBe("FOO");
    expect(call.Args.map((word) => (word.Parts[0] as Lit).Value)).toEqual(["echo", "hi"]);
    const redirect = and.X.Redirs[0] as Redirect;
    expect({ op: redirect.Op, n: redirect.N, hdoc: redirect.Hdoc }).toEqual({ op: 54, n: null, hdoc: null });
    expect((and.Y.Cmd as BinaryCmd).Op).toBe(12);
  });

  it("gives nil commands and parameters as null, and words their byte offsets", () => {
    const lengthOfX = ["$", "{#x}"].join("");
    const { file, source } = parse(`> 'é.txt'; echo "é$HOME" ${lengthOfX}`);
    expect((file.Stmts[0] as Stmt).Cmd).toBeNull();
    const words: Word[] = [];
    walkAll(file, (node) => {
      if (node.type === "Word") words.push(node as Word);
      return true;
    });
    expect(words.map((word) => source.of(word))).toEqual(["'é.txt'", "echo", '"é$HOME"', lengthOfX]);
    const length = (words[3] as Word).Parts[0] as ParamExp;
    expect({ length: length.Length, param: length.Param?.Value }).toEqual({ length: true, param: "x" });
  });

  it("decodes UTF-8 in literals", () => {
    const { file, source } = parse("echo 'héllo' wörld");
    const call = (file.Stmts[0] as Stmt).Cmd as CallExpr;
    expect(call.Args.map((word) => expandWord(word, source)[0]?.value)).toEqual(["echo", "héllo", "wörld"]);
  });

  it("returns the parser's message for invalid input, and keeps working afterwards", () => {
    expect(parseShell("echo 'unterminated")).toEqual({
      ok: false,
      message: "1:6: reached EOF without closing quote '",
    });
    expect(parseShell("if then")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/"if" must be followed/),
    });
    expect(parseShell("ls").ok).toBe(true);
  });

  it("leaves the process's stack trace limit alone", () => {
    parseShell("echo 'x");
    expect(Error.stackTraceLimit).not.toBe(Number.POSITIVE_INFINITY);
  });
});

describe("expandWord", () => {
  const cases: readonly [string, (string | undefined)[]][] = [
    ['s""udo', ["sudo"]],
    ["\\sudo", ["sudo"]],
    ["$'\\x73\\165do'", ["sudo"]],
    ['\'a b\'"c\\"d"', ['a bc"d']],
    ["{a,b}c", ["ac", "bc"]],
    ["x{1..3}", ["x1", "x2", "x3"]],
    ["'{a,b}'", ["{a,b}"]],
    ["{a,{b,c}}", ["a", "b", "c"]],
    ["$X", [undefined]],
    ["a$(b)", [undefined]],
  ];
  it.each(cases)("%s", (text, expected) => {
    const { file, source } = parse(`: ${text}`);
    const word = ((file.Stmts[0] as Stmt).Cmd as CallExpr).Args[1] as Word;
    expect(expandWord(word, source).map((arg) => arg.value)).toEqual(expected);
  });

  it("marks globs, tildes, $HOME and $!", () => {
    const { file, source } = parse(": *.ts '*.ts' ~/x \"$HOME\"/y $! [ a[b]");
    const args = ((file.Stmts[0] as Stmt).Cmd as CallExpr).Args.slice(1).map(
      (word) => expandWord(word, source)[0],
    );
    expect(args.map((arg) => [arg?.glob, arg?.tilde, arg?.home, arg?.lastJobPid])).toEqual([
      [true, false, false, false],
      [false, false, false, false],
      [false, true, false, false],
      [false, false, true, false],
      [false, false, false, true],
      [false, false, false, false],
      [true, false, false, false],
    ]);
  });
});
