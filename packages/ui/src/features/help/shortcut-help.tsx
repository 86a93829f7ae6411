import { useShortcutList } from "../../lib/shortcuts.ts";
import { Dialog } from "../../ui/dialog.tsx";

/** The keyboard shortcuts, grouped, as registered right now. */
export function ShortcutHelp(props: {
  readonly open: boolean;
  readonly onOpenChange: (open: boolean) => void;
}) {
  const shortcuts = useShortcutList();
  const groups = [...new Set(shortcuts.map((shortcut) => shortcut.group))];
  return (
    <Dialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title="Keyboard shortcuts"
      description="Keys work anywhere except while typing in a field."
    >
      <div className="grid gap-5 sm:grid-cols-2">
        {groups.map((group) => (
          <section key={group} aria-label={group}>
            <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted uppercase">{group}</h3>
            <dl className="space-y-1.5">
              {shortcuts
                .filter((shortcut) => shortcut.group === group)
                .map((shortcut) => (
                  <div key={shortcut.key} className="flex items-center justify-between gap-3 text-sm">
                    <dt>{shortcut.description}</dt>
                    <dd>
                      <kbd className="rounded border border-border bg-surface-muted px-1.5 py-0.5 font-mono text-xs">
                        {shortcut.key === "," ? "," : shortcut.key.toUpperCase()}
                      </kbd>
                    </dd>
                  </div>
                ))}
            </dl>
          </section>
        ))}
        <section aria-label="Dialogs">
          <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted uppercase">Dialogs</h3>
          <div className="flex items-center justify-between text-sm">
            <span>Close the dialog</span>
            <kbd className="rounded border border-border bg-surface-muted px-1.5 py-0.5 font-mono text-xs">
              Esc
            </kbd>
          </div>
        </section>
      </div>
    </Dialog>
  );
}
