/**
 * The shell syntax tree the policy works on: plain objects converted from mvdan.cc/sh's Go structs, keeping their
 * type and field names (see https://pkg.go.dev/mvdan.cc/sh/v3/syntax). Position fields are dropped; words carry
 * their byte offsets in the source instead. Nil pointers and interfaces are `null`.
 */

/** Any node; `type` is the Go type name ("CallExpr", "Word", …). Other fields depend on the type. */
export interface ShellNode {
  readonly type: string;
}

/** A parsed script. */
export interface File extends ShellNode {
  readonly Stmts: readonly Stmt[];
}

/** One statement: a command with its redirections. */
export interface Stmt extends ShellNode {
  readonly Cmd: ShellNode | null;
  readonly Redirs: readonly Redirect[];
  readonly Negated: boolean;
  readonly Background: boolean;
  readonly Coprocess: boolean;
}

/** A simple command: `A=1 B=2 program args…`. */
export interface CallExpr extends ShellNode {
  readonly Assigns: readonly Assign[];
  readonly Args: readonly Word[];
}

/** `name=value`, `name+=value`, `name=(array)`, or a bare word inside a declaration. */
export interface Assign extends ShellNode {
  readonly Name: Lit | null;
  readonly Value: Word | null;
  readonly Array: ShellNode | null;
  readonly Append: boolean;
  readonly Naked: boolean;
}

/** `X op Y` where op is `&&` (10), `||` (11), `|` (12) or `|&` (13). */
export interface BinaryCmd extends ShellNode {
  readonly Op: number;
  readonly X: Stmt;
  readonly Y: Stmt;
}

/** `export`, `local`, `declare`, `readonly`, `typeset`, `nameref` with their assignments. */
export interface DeclClause extends ShellNode {
  readonly Variant: Lit;
  readonly Args: readonly Assign[];
}

/** `name() body` or `function name body`. */
export interface FuncDecl extends ShellNode {
  readonly Name: Lit;
  readonly Body: Stmt;
}

/** A redirection; `Hdoc` holds a here-document's body. */
export interface Redirect extends ShellNode {
  readonly Op: number;
  readonly N: Lit | null;
  readonly Word: Word | null;
  readonly Hdoc: Word | null;
}

/** A shell word made of parts (literals, quotes, expansions), with its byte offsets in the source. */
export interface Word extends ShellNode {
  readonly Parts: readonly ShellNode[];
  readonly pos: number;
  readonly end: number;
}

/** Unquoted literal text, escapes not removed. */
export interface Lit extends ShellNode {
  readonly Value: string;
}

/** `'…'`, or `$'…'` when `Dollar` is set (ANSI-C escapes not decoded). */
export interface SglQuoted extends ShellNode {
  readonly Value: string;
  readonly Dollar: boolean;
}

/** `"…"`, or `$"…"` when `Dollar` is set. */
export interface DblQuoted extends ShellNode {
  readonly Parts: readonly ShellNode[];
  readonly Dollar: boolean;
}

/** `$name`, `${name…}`. */
export interface ParamExp extends ShellNode {
  readonly Param: Lit | null;
  readonly Short: boolean;
  readonly Excl: boolean;
  readonly Length: boolean;
}

/** `$(…)` or backquotes. */
export interface CmdSubst extends ShellNode {
  readonly Stmts: readonly Stmt[];
}

/** `<(…)` or `>(…)`. */
export interface ProcSubst extends ShellNode {
  readonly Op: number;
  readonly Stmts: readonly Stmt[];
}

function isNode(value: unknown): value is ShellNode {
  return (
    typeof value === "object" && value !== null && typeof (value as { type?: unknown }).type === "string"
  );
}

/** The nodes directly below `node`, in field order. */
export function childrenOf(node: ShellNode): ShellNode[] {
  const children: ShellNode[] = [];
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) children.push(item);
    } else if (isNode(value)) children.push(value);
  }
  return children;
}

/** Visits the nodes below `root` (not `root` itself), depth first; `visit` returns true to descend. */
export function walkBelow(root: ShellNode, visit: (node: ShellNode) => boolean): void {
  for (const child of childrenOf(root)) {
    if (visit(child)) walkBelow(child, visit);
  }
}

/** Visits every node of the subtree, `root` included; `visit` returns true to descend. */
export function walkAll(root: ShellNode, visit: (node: ShellNode) => boolean): void {
  if (visit(root)) walkBelow(root, visit);
}
