import { cn } from "../../lib/cn.ts";
import { categoryTone } from "./board-model.ts";
import "./kanban.css";

/** A category's badge, in the stable colour of its name (the name is always written: colour is not the signal). */
export function CategoryBadge(props: { readonly category: string; readonly className?: string }) {
  if (props.category === "") return null;
  return (
    <span
      data-category-tone={categoryTone(props.category)}
      className={cn(
        "category-badge inline-flex max-w-full items-center truncate rounded-full px-2 py-0.5 text-xs font-medium",
        props.className,
      )}
      title={`Category: ${props.category}`}
    >
      {props.category}
    </span>
  );
}
