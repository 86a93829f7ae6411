/** Placeholder: replaced by the real RunBanners. */
export function RunBanners() {
  return <div className="p-6 text-sm text-muted"></div>;
}
