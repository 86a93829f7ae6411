import { Volume2, VolumeX } from "lucide-react";
import { Switch } from "../../ui/switch.tsx";
import { playCelebrationSound, setSoundsEnabled, useSoundsEnabled } from "./sounds.ts";

/** The on/off switch of the celebration sounds (off by default, remembered), for the settings or the sidebar. */
export function SoundToggle(props: { readonly className?: string; readonly hideLabel?: boolean }) {
  const enabled = useSoundsEnabled();
  return (
    <span className={props.className}>
      <span className="inline-flex items-center gap-2">
        {enabled ? (
          <Volume2 className="size-4 text-muted" aria-hidden />
        ) : (
          <VolumeX className="size-4 text-muted" aria-hidden />
        )}
        <Switch
          checked={enabled}
          onCheckedChange={(checked) => {
            setSoundsEnabled(checked);
            // A chime on switching on: the user hears what they chose (and the browser unlocks audio).
            if (checked) playCelebrationSound("feature");
          }}
          label="Celebration sounds"
          {...(props.hideLabel === undefined ? {} : { hideLabel: props.hideLabel })}
        />
      </span>
    </span>
  );
}
