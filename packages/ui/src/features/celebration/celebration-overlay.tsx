/** Placeholder: replaced by the real CelebrationOverlay. */
export function CelebrationOverlay() {
  return <div className="p-6 text-sm text-muted"></div>;
}
