/** Placeholder: replaced by the real NewProjectWizard. */
export function NewProjectWizard() {
  return <div className="p-6 text-sm text-muted">New project</div>;
}
