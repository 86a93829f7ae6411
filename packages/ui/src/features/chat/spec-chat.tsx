/** Placeholder: replaced by the real SpecChat (the interview that writes the app spec). */
export function SpecChat(_props: { readonly project: string; readonly onComplete: () => void }) {
  return null;
}
