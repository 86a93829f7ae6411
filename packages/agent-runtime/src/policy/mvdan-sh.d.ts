/**
 * Types for `mvdan-sh`, the GopherJS build of mvdan.cc/sh/v3/syntax (a complete Bash parser). Only the entry points
 * the policy uses are declared. The JavaScript wrappers of syntax nodes are slow (every field access wraps Go values
 * anew), so `shell-syntax.ts` reads the Go values behind them (`__internal_object__`) and converts the tree once.
 */
declare module "mvdan-sh" {
  /** A parsed file, wrapped for JavaScript. */
  export interface WrappedFile {
    /** The Go value behind the wrapper: GopherJS structs with their Go field names. */
    readonly __internal_object__: unknown;
  }

  /** A parser; reusable. `Parse` throws a Go error (with an `Error()` method) on invalid input. */
  export interface Parser {
    Parse(source: string, name: string): WrappedFile;
  }

  /** The `syntax` package. */
  export interface Syntax {
    NewParser(...options: unknown[]): Parser;
  }

  const sh: { readonly syntax: Syntax };
  export default sh;
}
