/**
 * The folder browser of the new-project wizard, over the server's `GET /api/fs/list` (folders only, inside the
 * folders the server may use): breadcrumbs, the parent, each sub-folder marked when it is an autowright or an
 * AutoForge project. Opening a folder browses into it; "Use" picks the folder itself.
 */
import { useQuery } from "@tanstack/react-query";
import { ArrowUp, ChevronRight, Folder, FolderCheck, FolderInput, Home } from "lucide-react";
import { useEffect, useRef } from "react";
import { errorMessage } from "../../api/client.ts";
import { listFolder } from "../../api/projects.ts";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";

/** The query key of a folder listing (`undefined`: the home folder). */
export const folderQueryKey = (path: string | undefined) => ["folder", path ?? "~"] as const;

/** `/a/b/c` → [{ label: "/", path: "/" }, { label: "a", path: "/a" }, …]. */
export function breadcrumbsOf(path: string): { label: string; path: string }[] {
  const parts = path.split("/").filter((part) => part !== "");
  return [
    { label: "/", path: "/" },
    ...parts.map((part, index) => ({ label: part, path: `/${parts.slice(0, index + 1).join("/")}` })),
  ];
}

/** The browser; `path` is the folder shown (undefined: the server's home folder). */
export function FolderBrowser(props: {
  readonly path: string | undefined;
  /** Browse to a folder (its listing is shown). */
  readonly onBrowse: (path: string) => void;
  /** Pick a listed folder itself as the project folder. */
  readonly onUse: (path: string) => void;
  /** Back to the home folder after an error. */
  readonly onHome: () => void;
  /** Called with the listing's folder once loaded (the home folder's real path, say). */
  readonly onListed?: (path: string) => void;
}) {
  const listing = useQuery({
    queryKey: folderQueryKey(props.path),
    queryFn: () => listFolder(props.path),
    retry: false,
    staleTime: 5_000,
  });
  const data = listing.data;
  const onListed = useRef(props.onListed);
  onListed.current = props.onListed;
  const listedPath = data?.path;
  useEffect(() => {
    if (listedPath !== undefined) onListed.current?.(listedPath);
  }, [listedPath]);
  const folders = data?.entries.filter((entry) => entry.kind === "directory") ?? [];

  return (
    <div className="overflow-hidden rounded-lg border border-border bg-surface" data-testid="folder-browser">
      <div className="flex items-center gap-1 border-b border-border bg-surface-muted px-2 py-1.5">
        <Button
          size="icon"
          variant="ghost"
          aria-label="Parent folder"
          disabled={data?.parent === null || data === undefined}
          onClick={() => {
            if (data?.parent !== null && data?.parent !== undefined) props.onBrowse(data.parent);
          }}
        >
          <ArrowUp aria-hidden />
        </Button>
        <Button size="icon" variant="ghost" aria-label="Home folder" onClick={props.onHome}>
          <Home aria-hidden />
        </Button>
        <nav aria-label="Folder path" className="min-w-0 flex-1 overflow-x-auto">
          <ol className="flex items-center text-sm whitespace-nowrap">
            {(data === undefined ? [] : breadcrumbsOf(data.path)).map((crumb, index, all) => (
              <li key={crumb.path} className="flex items-center">
                {index > 0 ? <ChevronRight className="size-3.5 text-muted" aria-hidden /> : null}
                {index === all.length - 1 ? (
                  <span aria-current="location" className="px-1 font-medium">
                    {crumb.label}
                  </span>
                ) : (
                  <button
                    type="button"
                    onClick={() => props.onBrowse(crumb.path)}
                    className="rounded px-1 text-muted hover:bg-surface hover:text-foreground"
                  >
                    {crumb.label}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </nav>
      </div>
      {data?.roots !== undefined && data.roots.length > 1 ? (
        <div className="flex flex-wrap items-center gap-1.5 border-b border-border px-3 py-1.5 text-xs">
          <span className="text-muted">Allowed folders:</span>
          {data.roots.map((root) => (
            <button
              key={root}
              type="button"
              onClick={() => props.onBrowse(root)}
              aria-current={root === data.path ? "location" : undefined}
              className="rounded-full border border-border px-2 py-0.5 font-mono hover:bg-surface-muted aria-[current=location]:border-accent aria-[current=location]:text-accent-strong"
            >
              {root}
            </button>
          ))}
        </div>
      ) : null}
      {listing.isError ? (
        <div role="alert" className="space-y-2 p-4 text-sm">
          <p>
            <span className="font-medium">This folder cannot be listed: </span>
            {errorMessage(listing.error)}
          </p>
          <Button size="sm" onClick={props.onHome}>
            Back to the home folder
          </Button>
        </div>
      ) : data === undefined ? (
        <p className="p-4 text-sm text-muted">Loading the folder…</p>
      ) : folders.length === 0 ? (
        <p className="p-4 text-sm text-muted">No sub-folders here.</p>
      ) : (
        <ul
          aria-label={`Folders in ${data.path}`}
          className="max-h-72 divide-y divide-border overflow-y-auto"
        >
          {folders.map((entry) => (
            <li key={entry.path} className="flex items-center gap-2 px-2 py-1 hover:bg-surface-muted">
              <button
                type="button"
                onClick={() => props.onBrowse(entry.path)}
                className="flex min-w-0 flex-1 items-center gap-2 rounded px-1 py-1 text-left text-sm"
                aria-label={`Open ${entry.name}`}
              >
                {entry.isProject || entry.isAutoforgeProject ? (
                  <FolderCheck className="size-4 shrink-0 text-accent" aria-hidden />
                ) : (
                  <Folder className="size-4 shrink-0 text-muted" aria-hidden />
                )}
                <span className="truncate">{entry.name}</span>
                {entry.isProject ? <Badge tone="accent">autowright project</Badge> : null}
                {entry.isAutoforgeProject ? <Badge tone="verifying">AutoForge project</Badge> : null}
              </button>
              <Button
                size="sm"
                variant="ghost"
                onClick={() => props.onUse(entry.path)}
                aria-label={`Use ${entry.name} as the project folder`}
              >
                <FolderInput aria-hidden />
                Use
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
