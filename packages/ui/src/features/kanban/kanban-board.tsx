/** Placeholder: replaced by the real KanbanBoard. */
export function KanbanBoard(_props: { readonly compact?: boolean }) {
  return <div className="p-6 text-sm text-muted">Kanban</div>;
}
