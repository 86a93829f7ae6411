/** A callback for the moment the project's stream is open again after a drop (a restarted server, a woken laptop). */
import { useEffect, useRef } from "react";
import { useProjectView } from "../../state/project-context.tsx";

/**
 * Calls `callback` each time the stream goes from reconnecting to open: REST answers loaded before may be stale
 * (a restarted server has no terminals, a scheduler may have moved on), so screens reload them then. Not on the
 * first connection (the first loads are under way).
 */
export function useStreamReopened(callback: () => void): void {
  const connection = useProjectView((view) => view.connection);
  const previous = useRef(connection);
  const latest = useRef(callback);
  latest.current = callback;
  useEffect(() => {
    const was = previous.current;
    previous.current = connection;
    if (connection === "open" && was === "reconnecting") latest.current();
  }, [connection]);
}
