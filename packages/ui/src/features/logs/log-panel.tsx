/** Placeholder: replaced by the real LogPanel. */
export function LogPanel(_props: { readonly onClose?: () => void }) {
  return <div className="p-6 text-sm text-muted">Logs</div>;
}
