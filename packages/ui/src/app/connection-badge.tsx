import { RefreshCw, Wifi, WifiOff } from "lucide-react";
import { useProjectStore, useProjectView } from "../state/project-context.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";

/** Live / Reconnecting, from the stream client's own status. */
export function ConnectionBadge() {
  const connection = useProjectView((view) => view.connection);
  return connection === "open" ? (
    <Badge tone="done" data-testid="connection" aria-live="polite">
      <Wifi aria-hidden /> Live
    </Badge>
  ) : (
    <Badge tone="input" data-testid="connection" aria-live="polite">
      <WifiOff aria-hidden /> {connection === "connecting" ? "Connecting…" : "Reconnecting…"}
    </Badge>
  );
}

/** The banner of a dropped connection: what is shown may be stale until it is back. */
export function ConnectionBanner() {
  const store = useProjectStore();
  const connection = useProjectView((view) => view.connection);
  const detail = useProjectView((view) => view.connectionDetail);
  const hasSnapshot = useProjectView((view) => view.hasSnapshot);
  const streamError = useProjectView((view) => view.streamError);
  return (
    <>
      {connection === "reconnecting" && hasSnapshot ? (
        <div
          role="status"
          data-testid="reconnecting-banner"
          className="flex items-center justify-between gap-3 border-b border-status-input/40 bg-status-soft-input px-4 py-2 text-sm"
        >
          <span>
            <strong>Reconnecting…</strong> The connection to the server dropped
            {detail === undefined ? "" : ` (${detail})`}. What you see may be out of date; missed events
            replay when it is back.
          </span>
          <Button size="sm" onClick={() => store.reconnect()}>
            <RefreshCw aria-hidden /> Reconnect now
          </Button>
        </div>
      ) : null}
      {streamError === undefined ? null : (
        <div
          role="alert"
          className="border-b border-status-failed/40 bg-status-soft-failed px-4 py-2 text-sm"
        >
          {streamError}
        </div>
      )}
    </>
  );
}
