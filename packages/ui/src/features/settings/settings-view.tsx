/** Placeholder: replaced by the real SettingsView. */
export function SettingsView() {
  return <div className="p-6 text-sm text-muted">Settings</div>;
}
