/**
 * A chat message's Markdown (GitHub-flavoured: tables, task lists, strikethrough), rendered as it streams. Raw
 * HTML is dropped, never rendered; links open in a new tab; images are shown as links (a model's Markdown must
 * not make the page fetch from arbitrary hosts). Code blocks get a copy button.
 */
import { Check, Copy } from "lucide-react";
import { memo, type ReactNode, useRef, useState } from "react";
import Markdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import { cn } from "../../lib/cn.ts";

const remarkPlugins = [remarkGfm];

function CodeBlock(props: { readonly children?: ReactNode }) {
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | undefined>(undefined);
  const copy = () => {
    const text = pre.current?.textContent ?? "";
    navigator.clipboard.writeText(text).then(
      () => setCopied("yes"),
      () => setCopied("failed"),
    );
    window.setTimeout(() => setCopied(undefined), 1_500);
  };
  return (
    <div className="group relative my-2">
      <pre
        ref={pre}
        className="overflow-x-auto rounded-lg border border-border bg-surface-muted p-3 font-mono text-xs leading-relaxed [&>code]:bg-transparent [&>code]:p-0 [&>code]:text-[length:inherit]"
      >
        {props.children}
      </pre>
      <button
        type="button"
        onClick={copy}
        aria-label={copied === "yes" ? "Copied" : copied === "failed" ? "Could not copy" : "Copy the code"}
        title={copied === "failed" ? "The browser refused the clipboard" : "Copy"}
        className="absolute top-1.5 right-1.5 rounded-md border border-border bg-surface p-1 text-muted opacity-0 transition-opacity group-hover:opacity-100 hover:text-foreground focus-visible:opacity-100"
      >
        {copied === "yes" ? (
          <Check className="size-3.5" aria-hidden />
        ) : (
          <Copy className="size-3.5" aria-hidden />
        )}
      </button>
    </div>
  );
}

const components: Components = {
  p: ({ children }) => <p className="my-2 leading-relaxed first:mt-0 last:mb-0">{children}</p>,
  a: ({ href, children }) => (
    <a
      href={href}
      target="_blank"
      rel="noreferrer noopener"
      className="text-accent underline underline-offset-2"
    >
      {children}
    </a>
  ),
  img: ({ src, alt }) =>
    typeof src === "string" && src !== "" ? (
      <a
        href={src}
        target="_blank"
        rel="noreferrer noopener"
        className="text-accent underline underline-offset-2"
      >
        {`image: ${alt === undefined || alt === "" ? src : alt}`}
      </a>
    ) : null,
  ul: ({ children, className }) => (
    <ul
      className={cn(
        "my-2 list-disc space-y-1 pl-5",
        className?.includes("contains-task-list") && "list-none pl-1",
      )}
    >
      {children}
    </ul>
  ),
  ol: ({ children, start }) => (
    <ol start={start} className="my-2 list-decimal space-y-1 pl-5">
      {children}
    </ol>
  ),
  li: ({ children }) => <li className="leading-relaxed">{children}</li>,
  h1: ({ children }) => <h3 className="mt-4 mb-2 text-base font-semibold first:mt-0">{children}</h3>,
  h2: ({ children }) => <h4 className="mt-4 mb-2 text-sm font-semibold first:mt-0">{children}</h4>,
  h3: ({ children }) => <h5 className="mt-3 mb-1.5 text-sm font-semibold first:mt-0">{children}</h5>,
  h4: ({ children }) => <h6 className="mt-3 mb-1 text-sm font-medium first:mt-0">{children}</h6>,
  h5: ({ children }) => <h6 className="mt-3 mb-1 text-sm font-medium first:mt-0">{children}</h6>,
  h6: ({ children }) => <h6 className="mt-3 mb-1 text-sm font-medium first:mt-0">{children}</h6>,
  blockquote: ({ children }) => (
    <blockquote className="my-2 border-l-2 border-border pl-3 text-muted">{children}</blockquote>
  ),
  hr: () => <hr className="my-3 border-border" />,
  pre: ({ children }) => <CodeBlock>{children}</CodeBlock>,
  code: ({ children, className }) => (
    <code className={cn("rounded bg-surface-muted px-1 py-0.5 font-mono text-[0.85em]", className)}>
      {children}
    </code>
  ),
  table: ({ children }) => (
    <div className="my-2 overflow-x-auto">
      <table className="w-full border-collapse text-left text-xs">{children}</table>
    </div>
  ),
  th: ({ children, style }) => (
    <th style={style} className="border border-border bg-surface-muted px-2 py-1 font-semibold">
      {children}
    </th>
  ),
  td: ({ children, style }) => (
    <td style={style} className="border border-border px-2 py-1 align-top">
      {children}
    </td>
  ),
  input: ({ checked, type }) =>
    type === "checkbox" ? (
      <input
        type="checkbox"
        checked={checked === true}
        readOnly
        disabled
        aria-label={checked === true ? "Done" : "Not done"}
        className="mr-1.5 align-middle"
      />
    ) : null,
};

/** Markdown text of a chat message. */
export const ChatMarkdown = memo(function ChatMarkdown(props: {
  readonly text: string;
  readonly className?: string;
}) {
  return (
    <div className={cn("min-w-0 text-sm break-words", props.className)}>
      <Markdown remarkPlugins={remarkPlugins} components={components} skipHtml>
        {props.text}
      </Markdown>
    </div>
  );
});
