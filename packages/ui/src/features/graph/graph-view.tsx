/** Placeholder: replaced by the real GraphView. */
export function GraphView() {
  return <div className="p-6 text-sm text-muted">Graph</div>;
}
