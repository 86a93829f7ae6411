/** Placeholder: replaced by the real ScheduleControl. */
export function ScheduleControl() {
  return <div className="p-6 text-sm text-muted"></div>;
}
