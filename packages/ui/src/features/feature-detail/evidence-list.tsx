/** What the checks (and merges, imports, people) proved about a feature: newest first, exit codes coloured. */
import type { Evidence } from "@autowright/protocol";
import { CheckCircle2, CircleSlash, ScrollText, XCircle } from "lucide-react";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { formatDateTime, formatDuration } from "./detail-format.ts";

const kindLabels: Record<Evidence["kind"], string> = {
  check: "check",
  merge: "merge",
  import: "import",
  manual: "manual",
};

/** The evidence list. */
export function EvidenceList(props: {
  readonly evidence: readonly Evidence[];
  readonly onOpenSession?: (sessionId: string) => void;
}) {
  if (props.evidence.length === 0) {
    return (
      <p className="text-sm text-muted">
        No evidence yet: the verifier records each check it runs (command, exit code, output) here.
      </p>
    );
  }
  // Evidence only grows at the end: the position in the original list is a stable key.
  const newestFirst = props.evidence
    .map((entry, position) => ({ entry, key: `evidence-${position}` }))
    .reverse();
  return (
    <ol className="space-y-3" aria-label="Evidence">
      {newestFirst.map(({ entry, key }) => (
        <li key={key} className="rounded-lg border border-border bg-surface p-3" data-testid="evidence">
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone={entry.kind === "merge" ? "accent" : "neutral"}>{kindLabels[entry.kind]}</Badge>
            <ExitCode code={entry.exitCode} />
            {entry.command === undefined ? null : (
              <code className="min-w-0 truncate rounded bg-surface-muted px-1.5 py-0.5 font-mono text-xs">
                {entry.command}
              </code>
            )}
            <span className="ml-auto flex flex-wrap items-center gap-x-3 text-xs text-muted">
              {entry.durationMs === undefined ? null : <span>{formatDuration(entry.durationMs)}</span>}
              <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
            </span>
          </div>
          {entry.note === undefined ? null : <p className="mt-2 text-sm break-words">{entry.note}</p>}
          {entry.outputTail === undefined || entry.outputTail === "" ? null : (
            <pre
              className="mt-2 max-h-56 overflow-auto rounded-md bg-surface-muted p-2.5 font-mono text-xs leading-relaxed whitespace-pre-wrap"
              title={`Output of ${entry.command ?? kindLabels[entry.kind]}`}
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard.
              tabIndex={0}
            >
              {entry.outputTail}
            </pre>
          )}
          {entry.sessionId === undefined ? null : (
            <div className="mt-2 flex items-center gap-2 text-xs text-muted">
              <span>
                Session <code className="font-mono">{entry.sessionId}</code>
              </span>
              {props.onOpenSession === undefined ? null : (
                <Button
                  size="sm"
                  variant="ghost"
                  className="h-6 px-1.5 text-xs"
                  onClick={() => props.onOpenSession?.(entry.sessionId as string)}
                >
                  <ScrollText aria-hidden />
                  View its log
                </Button>
              )}
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}

/** An exit code: green 0, red otherwise, grey when the command was stopped before it exited. */
export function ExitCode(props: { readonly code: number | null | undefined }) {
  if (props.code === undefined) return null;
  if (props.code === null)
    return (
      <Badge tone="neutral" title="Stopped before it exited (timed out or cancelled)">
        <CircleSlash aria-hidden />
        no exit code
      </Badge>
    );
  return props.code === 0 ? (
    <Badge tone="done">
      <CheckCircle2 aria-hidden />
      exit 0
    </Badge>
  ) : (
    <Badge tone="failed">
      <XCircle aria-hidden />
      exit {props.code}
    </Badge>
  );
}
