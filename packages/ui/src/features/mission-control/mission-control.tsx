/** Placeholder: replaced by the real MissionControl. */
export function MissionControl() {
  return <div className="p-6 text-sm text-muted">Mission Control</div>;
}
