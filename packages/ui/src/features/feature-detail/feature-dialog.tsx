/** Placeholder: replaced by the real FeatureDialog. */
export function FeatureDialog(_props: { readonly featureId: number; readonly onClose: () => void }) {
  return null;
}
