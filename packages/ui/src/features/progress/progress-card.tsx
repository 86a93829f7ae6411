/** Placeholder: replaced by the real ProgressCard. */
export function ProgressCard() {
  return <div className="p-6 text-sm text-muted">Progress</div>;
}
