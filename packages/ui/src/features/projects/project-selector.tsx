/** Placeholder: replaced by the real ProjectSelector. */
export function ProjectSelector() {
  return <div className="p-6 text-sm text-muted"></div>;
}
