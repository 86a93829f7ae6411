/** Placeholder: replaced by the real BrowserView. */
export function BrowserView() {
  return <div className="p-6 text-sm text-muted">Browser</div>;
}
