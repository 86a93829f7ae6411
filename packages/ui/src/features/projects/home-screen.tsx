/** Placeholder: replaced by the real HomeScreen. */
export function HomeScreen() {
  return <div className="p-6 text-sm text-muted">Projects</div>;
}
