/** Placeholder: replaced by the real ProjectMenu. */
export function ProjectMenu() {
  return <div className="p-6 text-sm text-muted"></div>;
}
