/**
 * The shell parser (mvdan.cc/sh compiled to JavaScript by GopherJS), Bash syntax. The parser is created once and
 * reused; it is synchronous. Its tree is converted once into plain objects (`shell-ast.ts`) by reading the Go
 * values directly, which is two orders of magnitude faster than going through the JavaScript wrappers.
 */
import "./stack-trace-limit.ts";
import sh, { type Parser } from "mvdan-sh";
import type { File, ShellNode } from "./shell-ast.ts";
import { savedStackTraceLimit } from "./stack-trace-limit.ts";

Error.stackTraceLimit = savedStackTraceLimit();

let parser: Parser | undefined;

/** A parsed script, or the parser's message when the text is not valid Bash. */
export type ParseResult =
  | { readonly ok: true; readonly file: File; readonly source: ShellSource }
  | { readonly ok: false; readonly message: string };

/** Parses `text` as a Bash script. Never throws. */
export function parseShell(text: string): ParseResult {
  parser ??= sh.syntax.NewParser();
  // GopherJS measures stack depth for Go's panic/recover; give it the unlimited traces it was built for.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = Number.POSITIVE_INFINITY;
  let wrapped: ReturnType<Parser["Parse"]>;
  try {
    wrapped = parser.Parse(text, "");
  } catch (error) {
    return { ok: false, message: goErrorMessage(error) };
  } finally {
    Error.stackTraceLimit = limit;
  }
  const file = convert(wrapped.__internal_object__);
  if (file?.type !== "File") return { ok: false, message: "the parser returned no script" };
  return { ok: true, file: file as File, source: new ShellSource(text) };
}

function goErrorMessage(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const goError = error as { Error?: unknown };
    if (typeof goError.Error === "function") return decodeGoString(String(goError.Error.call(error)));
    if (error instanceof Error) return error.message;
  }
  return String(error);
}

/** The kind of a node: "CallExpr", "Word", "Lit", … */
export function nodeType(node: ShellNode): string {
  return node.type;
}

/** The text a script was parsed from, sliced by the parser's byte offsets. */
export class ShellSource {
  readonly text: string;
  readonly #ascii: boolean;
  #bytes: Uint8Array | undefined;

  constructor(text: string) {
    this.text = text;
    this.#ascii = Buffer.byteLength(text, "utf8") === text.length;
  }

  /** The source text of a word. */
  of(node: { readonly pos: number; readonly end: number }): string {
    if (this.#ascii) return this.text.slice(node.pos, node.end);
    this.#bytes ??= new TextEncoder().encode(this.text);
    return new TextDecoder().decode(this.#bytes.subarray(node.pos, node.end));
  }
}

// GopherJS representation: a Go pointer to a struct is a JavaScript object whose `constructor` describes the Go
// type (`string`, `kind`, `elem.fields`); slices are `{ $array, $offset, $length }`; a nil pointer is its type's
// `nil` object; a nil interface has no Go type; strings hold UTF-8 bytes, one per character.

interface GoType {
  readonly string?: string;
  readonly kind?: number;
  readonly elem?: GoType;
  readonly fields?: readonly {
    readonly prop: string;
    readonly name: string;
    readonly exported: boolean;
    readonly typ: GoType;
  }[];
  readonly nil?: unknown;
}

interface GoSlice {
  readonly $array: readonly unknown[];
  readonly $offset: number;
  readonly $length: number;
}

const kinds = {
  bool: 1,
  float64: 14,
  interface: 20,
  pointer: 22,
  slice: 23,
  string: 24,
  struct: 25,
} as const;

interface FieldPlan {
  readonly prop: string;
  readonly name: string;
  readonly kind: number;
}

const plans = new Map<GoType, { readonly name: string; readonly fields: readonly FieldPlan[] }>();

function planFor(type: GoType): { readonly name: string; readonly fields: readonly FieldPlan[] } | undefined {
  let plan = plans.get(type);
  if (plan !== undefined) return plan;
  const struct = type.kind === kinds.pointer ? type.elem : type;
  if (struct?.kind !== kinds.struct || !struct.string?.startsWith("syntax.")) return undefined;
  const fields = (struct.fields ?? [])
    .filter(
      (field) =>
        field.exported &&
        field.typ.string !== "syntax.Pos" &&
        field.typ.string !== "[]syntax.Comment" &&
        (field.typ.kind ?? 0) <= kinds.struct,
    )
    .map((field) => ({ prop: field.prop, name: field.name, kind: field.typ.kind ?? 0 }));
  plan = { name: struct.string.slice("syntax.".length), fields };
  plans.set(type, plan);
  return plan;
}

/** Go strings hold UTF-8 bytes; decode them when they are not plain ASCII. */
function decodeGoString(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: bytes above 0x7f mark UTF-8 sequences
  return /[^\u0000-\u007f]/.test(value) ? Buffer.from(value, "latin1").toString("utf8") : value;
}

function goTypeOf(value: unknown): GoType | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const type = (value as { constructor?: GoType }).constructor;
  return typeof type?.string === "string" ? type : undefined;
}

function convertValue(value: unknown, kind: number): unknown {
  if (kind === kinds.string) return decodeGoString(value as string);
  if (kind <= kinds.float64) return value;
  if (kind === kinds.slice) {
    const slice = value as GoSlice;
    const items: unknown[] = [];
    for (let index = 0; index < slice.$length; index++) {
      const item = convert(slice.$array[slice.$offset + index]);
      if (item !== null) items.push(item);
    }
    return items;
  }
  return convert(value);
}

/** Converts a Go syntax node (pointer, interface or struct value) to a plain node; `null` for nil. */
function convert(value: unknown): ShellNode | null {
  const type = goTypeOf(value);
  if (type === undefined || value === type.nil) return null;
  const plan = planFor(type);
  if (plan === undefined) return null;
  const source = value as Record<string, unknown>;
  const node: Record<string, unknown> = { type: plan.name };
  for (const field of plan.fields) node[field.name] = convertValue(source[field.prop], field.kind);
  if (plan.name === "Word") {
    const word = value as { Pos(): { offs: number }; End(): { offs: number } };
    node["pos"] = word.Pos().offs;
    node["end"] = word.End().offs;
  }
  return node as unknown as ShellNode;
}
