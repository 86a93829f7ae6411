/**
 * The commit a feature was merged as and its diff: the changed files (each collapsible, with +/- counts) and the
 * unified patch coloured by line. The server caps the patch (512 KiB) and says when it cut; a very long file shows
 * its first lines until asked for all.
 */
import type { Feature, FeatureDiffResponse } from "@autowright/protocol";
import { useQuery } from "@tanstack/react-query";
import { ChevronRight, GitCommitHorizontal } from "lucide-react";
import { useMemo, useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { getFeatureDiff } from "../../api/features-extra.ts";
import { cn } from "../../lib/cn.ts";
import { useProjectStore } from "../../state/project-context.tsx";
import { Button } from "../../ui/button.tsx";
import "../kanban/kanban.css";
import { shortCommit } from "./detail-format.ts";

/** Lines of one file shown before "Show all". */
const fileLineLimit = 400;

/** The note of a feature's latest merge evidence (the diff is fetched again when it changes). */
export function latestMergeNote(feature: Feature): string | undefined {
  return feature.evidence.findLast((entry) => entry.kind === "merge")?.note;
}

/** The commit and diff section. */
export function FeatureDiff(props: { readonly feature: Feature }) {
  const store = useProjectStore();
  const mergeNote = latestMergeNote(props.feature);
  const diff = useQuery({
    queryKey: ["feature-diff", store.project, props.feature.id, mergeNote ?? null],
    queryFn: () => getFeatureDiff(store.project, props.feature.id),
    retry: false,
  });
  if (diff.isPending) return <p className="text-sm text-muted">Loading the diff…</p>;
  if (diff.isError)
    return (
      <div role="alert" className="space-y-2 text-sm">
        <p className="text-status-failed">The diff could not be loaded: {errorMessage(diff.error)}</p>
        <Button size="sm" onClick={() => void diff.refetch()}>
          Try again
        </Button>
      </div>
    );
  return <DiffView diff={diff.data} mergeNote={mergeNote} />;
}

interface FilePatch {
  readonly path: string;
  readonly additions: number | null;
  readonly deletions: number | null;
  readonly lines: readonly string[];
}

/** Splits a unified patch into its files (by `diff --git` headers), matched to the numstat list by path. */
export function splitPatch(diff: FeatureDiffResponse): FilePatch[] {
  const chunks: { header: string; lines: string[] }[] = [];
  for (const line of diff.patch.split("\n")) {
    if (line.startsWith("diff --git ")) chunks.push({ header: line, lines: [] });
    else chunks.at(-1)?.lines.push(line);
  }
  const used = new Set<number>();
  const files: FilePatch[] = diff.files.map((file) => {
    const index = chunks.findIndex(
      (chunk, position) => !used.has(position) && chunk.header.endsWith(` b/${file.path}`),
    );
    if (index !== -1) used.add(index);
    const lines = index === -1 ? [] : (chunks[index]?.lines ?? []);
    while (lines.length > 0 && lines.at(-1) === "") lines.pop();
    return { ...file, lines };
  });
  // A patch cut by the cap may end inside a file the list has; one the list lacks is still shown.
  chunks.forEach((chunk, position) => {
    if (used.has(position)) return;
    files.push({
      path: chunk.header.replace(/^diff --git a\/.* b\//, ""),
      additions: null,
      deletions: null,
      lines: chunk.lines,
    });
  });
  return files;
}

function DiffView(props: { readonly diff: FeatureDiffResponse; readonly mergeNote: string | undefined }) {
  const { diff } = props;
  const files = useMemo(() => splitPatch(diff), [diff]);
  if (diff.commit === null) {
    return (
      <div className="rounded-lg border border-dashed border-border p-4 text-sm text-muted">
        <p className="font-medium text-foreground">Not merged yet</p>
        <p className="mt-1">
          {props.mergeNote === undefined
            ? "A feature lands on the main branch as a merge commit once it passes verification; its diff shows here then."
            : props.mergeNote}
        </p>
      </div>
    );
  }
  const additions = diff.files.reduce((sum, file) => sum + (file.additions ?? 0), 0);
  const deletions = diff.files.reduce((sum, file) => sum + (file.deletions ?? 0), 0);
  const totalLines = files.reduce((sum, file) => sum + file.lines.length, 0);
  const openByDefault = files.length <= 6 && totalLines <= 600;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <GitCommitHorizontal className="size-4 text-accent" aria-hidden />
        <code className="font-mono text-xs font-semibold" title={diff.commit}>
          {shortCommit(diff.commit)}
        </code>
        {diff.subject === null || diff.subject === "" ? null : (
          <span className="min-w-0 flex-1 truncate">{diff.subject}</span>
        )}
        <span className="text-xs text-muted tabular-nums">
          {diff.files.length === 1 ? "1 file" : `${diff.files.length} files`} ·{" "}
          <span className="diff-added-text">+{additions}</span>{" "}
          <span className="diff-removed-text">−{deletions}</span>
        </span>
      </div>
      {diff.truncated ? (
        <p
          role="status"
          className="rounded-md border border-status-input/40 bg-status-soft-input px-3 py-2 text-xs text-status-input"
        >
          The patch is longer than 512 KiB: it is cut here. See the rest with{" "}
          <code>git show {shortCommit(diff.commit)}</code>.
        </p>
      ) : null}
      {files.length === 0 ? (
        <p className="text-sm text-muted">The merge changed no file.</p>
      ) : (
        <ul className="space-y-2" aria-label="Changed files">
          {files.map((file) => (
            <li key={file.path}>
              <FileDiff file={file} defaultOpen={openByDefault} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function FileDiff(props: { readonly file: FilePatch; readonly defaultOpen: boolean }) {
  const { file } = props;
  const [open, setOpen] = useState(props.defaultOpen);
  const [all, setAll] = useState(false);
  const binary = file.additions === null && file.deletions === null;
  const shown = all ? file.lines : file.lines.slice(0, fileLineLimit);
  return (
    <div className="overflow-hidden rounded-lg border border-border">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        className="flex w-full items-center gap-2 bg-surface-muted px-3 py-2 text-left text-xs hover:bg-surface-muted/70"
      >
        <ChevronRight
          className={cn("size-3.5 shrink-0 transition-transform", open && "rotate-90")}
          aria-hidden
        />
        <span className="min-w-0 flex-1 truncate font-mono">{file.path}</span>
        {binary ? (
          <span className="text-muted">binary</span>
        ) : (
          <span className="shrink-0 font-mono tabular-nums">
            <span className="diff-added-text">+{file.additions ?? 0}</span>{" "}
            <span className="diff-removed-text">−{file.deletions ?? 0}</span>
          </span>
        )}
      </button>
      {open ? (
        <div className="max-h-[28rem] overflow-auto border-t border-border bg-surface">
          {file.lines.length === 0 ? (
            <p className="px-3 py-2 text-xs text-muted">
              {binary ? "A binary file: no text diff." : "No text changes."}
            </p>
          ) : (
            <pre className="min-w-max font-mono text-xs leading-5" data-testid="diff-lines">
              {shown.map((line, index) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the lines of a patch are positional.
                <DiffLine key={index} line={line} />
              ))}
            </pre>
          )}
          {!all && file.lines.length > fileLineLimit ? (
            <div className="border-t border-border px-3 py-2">
              <Button size="sm" onClick={() => setAll(true)}>
                Show all {file.lines.length} lines
              </Button>
            </div>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function DiffLine(props: { readonly line: string }) {
  const { line } = props;
  let className = "text-foreground/85";
  let label: string | undefined;
  if (line.startsWith("+++") || line.startsWith("---")) className = "text-muted font-semibold";
  else if (line.startsWith("+")) {
    className = "bg-status-soft-done diff-added-text";
    label = "added";
  } else if (line.startsWith("-")) {
    className = "bg-status-soft-failed diff-removed-text";
    label = "removed";
  } else if (line.startsWith("@@")) className = "bg-accent-soft/60 text-accent";
  else if (/^(index|new file|deleted file|old mode|new mode|similarity|rename|Binary)/.test(line))
    className = "text-muted";
  return (
    <span className={cn("block px-3", className)} data-line={label}>
      {line === "" ? " " : line}
      {"\n"}
    </span>
  );
}
