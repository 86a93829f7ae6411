/** Placeholder: replaced by the real TerminalView. */
export function TerminalView() {
  return <div className="p-6 text-sm text-muted">Terminal</div>;
}
