/** Placeholder: replaced by the real DevServerControl. */
export function DevServerControl() {
  return <div className="p-6 text-sm text-muted"></div>;
}
