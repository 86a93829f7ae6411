/**
 * "Try the demo": creates (or reuses) the demo project, starts its offline replay run and opens it. Needs no
 * provider and no key; a failure is shown under the button.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Play } from "lucide-react";
import { useId } from "react";
import { errorMessage } from "../../api/client.ts";
import { startDemo } from "../../api/setup.ts";
import { navigate } from "../../app/router.ts";
import { cn } from "../../lib/cn.ts";
import { Button } from "../../ui/button.tsx";

/** The demo button, with its error (when the demo could not start) under it. */
export function TryDemoButton(props: {
  readonly variant?: "primary" | "secondary";
  readonly className?: string;
  readonly label?: string;
}) {
  const queryClient = useQueryClient();
  const errorId = useId();
  const demo = useMutation({
    mutationFn: startDemo,
    onSuccess: (answer) => {
      queryClient.setQueryData(["project", answer.project.name], answer);
      void queryClient.invalidateQueries({ queryKey: ["projects"] });
      navigate({ kind: "project", project: answer.project.name, view: "dashboard" });
    },
  });
  return (
    <div className={cn("space-y-1.5", props.className)}>
      <Button
        variant={props.variant ?? "primary"}
        onClick={() => demo.mutate()}
        disabled={demo.isPending}
        aria-describedby={demo.isError ? errorId : undefined}
      >
        <Play aria-hidden />
        {demo.isPending ? "Starting the demo…" : (props.label ?? "Try the demo")}
      </Button>
      {demo.isError ? (
        <p id={errorId} role="alert" className="text-xs text-status-failed">
          The demo could not start: {errorMessage(demo.error)}
        </p>
      ) : null}
    </div>
  );
}
