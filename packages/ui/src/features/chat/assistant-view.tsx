/** Placeholder: replaced by the real AssistantView. */
export function AssistantView() {
  return <div className="p-6 text-sm text-muted">Assistant</div>;
}
