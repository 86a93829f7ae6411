/**
 * Settings (at `/settings`, and as a project's view, key ","): Providers, Run, Notifications and Appearance for the
 * whole server, and inside a project its Prompts. Each section saves by itself with `PATCH /api/settings`, sending
 * only what changed; the server's validation errors show by their field, anything else as the section's notice.
 */
import type { Settings } from "@autowright/protocol";
import { useQuery } from "@tanstack/react-query";
import { ArrowLeft, Bell, Palette } from "lucide-react";
import { useState } from "react";
import { errorMessage } from "../../api/client.ts";
import { getProviders, getSettings } from "../../api/settings.ts";
import { navigate, useRoute } from "../../app/router.ts";
import { cn } from "../../lib/cn.ts";
import { type ThemeId, themes, useTheme } from "../../lib/theme.ts";
import { Button } from "../../ui/button.tsx";
import { Field, Input } from "../../ui/field.tsx";
import { Switch } from "../../ui/switch.tsx";
import { SoundToggle } from "../celebration/celebration-overlay.tsx";
import { PromptsSection } from "./prompts-section.tsx";
import { ProvidersSection } from "./providers-section.tsx";
import { RunSection } from "./run-section.tsx";
import { providersQueryKey, SettingsSection, settingsQueryKey, useSettingsSave } from "./settings-form.tsx";

/** The settings screen. */
export function SettingsView() {
  const route = useRoute();
  const project = route.kind === "project" ? route.project : undefined;
  const settings = useQuery({ queryKey: settingsQueryKey, queryFn: getSettings });
  const providers = useQuery({ queryKey: providersQueryKey, queryFn: getProviders });
  const sections = [
    { id: "providers", label: "Providers" },
    { id: "run", label: "Run" },
    { id: "notifications", label: "Notifications" },
    { id: "appearance", label: "Appearance" },
    ...(project === undefined ? [] : [{ id: "prompts", label: "Prompts" }]),
  ];

  return (
    <div className="mx-auto max-w-4xl space-y-5 p-6" data-testid="settings-view">
      <header className="space-y-3">
        {route.kind === "settings" ? (
          <Button size="sm" variant="ghost" className="-ml-2" onClick={() => navigate({ kind: "home" })}>
            <ArrowLeft aria-hidden />
            All projects
          </Button>
        ) : null}
        <div>
          <h1 className="text-xl font-semibold tracking-tight">Settings</h1>
          <p className="text-sm text-muted">
            Providers, run and notification settings apply to every project of this server
            {project === undefined ? "." : `; the prompts are ${project}'s own.`}
          </p>
        </div>
        <nav aria-label="Settings sections" className="flex flex-wrap gap-1">
          {sections.map((section) => (
            <a
              key={section.id}
              href={`#${section.id}`}
              onClick={(event) => {
                // The page's address belongs to the router: scroll instead of changing the hash.
                event.preventDefault();
                scrollToSection(section.id);
              }}
              className="rounded-md px-2.5 py-1 text-sm text-muted hover:bg-surface-muted hover:text-foreground"
            >
              {section.label}
            </a>
          ))}
        </nav>
      </header>

      {settings.isError ? (
        <div
          role="alert"
          className="space-y-2 rounded-lg border border-status-failed/40 bg-status-soft-failed p-4 text-sm"
        >
          <p>
            <span className="font-medium">The settings could not be loaded: </span>
            {errorMessage(settings.error)}
          </p>
          <Button size="sm" onClick={() => void settings.refetch()}>
            Try again
          </Button>
        </div>
      ) : settings.data === undefined ? (
        <p className="py-8 text-center text-sm text-muted">Loading the settings…</p>
      ) : (
        <>
          <ProvidersSection
            settings={settings.data.settings}
            secrets={settings.data.secrets}
            providers={providers.data?.providers}
            providersError={providers.isError ? errorMessage(providers.error) : undefined}
          />
          <RunSection settings={settings.data.settings} />
          <NotificationsSection settings={settings.data.settings} />
        </>
      )}
      <AppearanceSection />
      {project === undefined ? null : <PromptsSection project={project} />}
    </div>
  );
}

/**
 * Scrolls the nearest scrolling ancestor so the section is at its top. Not `scrollIntoView`: that also scrolls
 * the shell's clipped (overflow hidden) ancestors, shifting the whole screen.
 */
function scrollToSection(id: string): void {
  const target = document.getElementById(id);
  if (target === null) return;
  let container = target.parentElement;
  while (container !== null) {
    const overflow = getComputedStyle(container).overflowY;
    if ((overflow === "auto" || overflow === "scroll") && container.scrollHeight > container.clientHeight)
      break;
    container = container.parentElement;
  }
  const scroller = container ?? document.scrollingElement;
  if (scroller === null) return;
  const top =
    target.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop - 16;
  scroller.scrollTo({ top, behavior: "smooth" });
  target.querySelector<HTMLElement>("input, select, textarea, button")?.focus({ preventScroll: true });
}

function NotificationsSection(props: { readonly settings: Settings }) {
  const [url, setUrl] = useState(props.settings.notificationsWebhookUrl ?? "");
  const saving = useSettingsSave("Notifications", (answer) =>
    setUrl(answer.settings.notificationsWebhookUrl ?? ""),
  );
  const value = url.trim() === "" ? null : url.trim();
  const dirty = value !== props.settings.notificationsWebhookUrl;
  const error = saving.fieldErrors["notificationsWebhookUrl"];
  return (
    <SettingsSection
      id="notifications"
      icon={Bell}
      title="Notifications"
      description="Where progress and the end of each run are posted (n8n, a Slack relay, your own endpoint)."
      dirty={dirty}
      saving={saving.saving}
      saved={saving.saved}
      problem={saving.problem}
      onSave={() => saving.save({ notificationsWebhookUrl: value })}
      onDiscard={() => {
        saving.clearErrors();
        setUrl(props.settings.notificationsWebhookUrl ?? "");
      }}
    >
      <Field
        label="Webhook URL"
        hint="An http(s) URL that receives a JSON POST. Empty: no notifications."
        error={error}
      >
        {(id, describedBy) => (
          <Input
            id={id}
            aria-describedby={describedBy}
            aria-invalid={error === undefined ? undefined : true}
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="https://hooks.example.com/autowright"
            value={url}
            onChange={(event) => {
              saving.touched();
              setUrl(event.target.value);
            }}
          />
        )}
      </Field>
    </SettingsSection>
  );
}

/** Swatches of the themes' accents (a preview of each theme, so literal colours). */
const swatches: Record<ThemeId, string> = {
  indigo: "oklch(0.51 0.2 275)",
  emerald: "oklch(0.52 0.13 165)",
  amber: "oklch(0.55 0.14 60)",
  rose: "oklch(0.54 0.19 10)",
};

function AppearanceSection() {
  const { theme, dark, setTheme, setDark } = useTheme();
  return (
    <SettingsSection
      id="appearance"
      icon={Palette}
      title="Appearance"
      description="Remembered in this browser; applied at once."
    >
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium">Theme</legend>
        <div className="flex flex-wrap gap-2">
          {themes.map((option) => (
            <label key={option.id} className="relative">
              <input
                type="radio"
                name="theme"
                value={option.id}
                checked={theme === option.id}
                onChange={() => setTheme(option.id)}
                className="peer sr-only"
              />
              <span
                className={cn(
                  "flex cursor-pointer items-center gap-2 rounded-lg border px-3 py-2 text-sm peer-focus-visible:outline-2 peer-focus-visible:outline-ring",
                  theme === option.id
                    ? "border-accent bg-accent-soft font-medium"
                    : "border-border hover:bg-surface-muted",
                )}
              >
                <span
                  aria-hidden
                  className="size-4 rounded-full"
                  style={{ background: swatches[option.id] }}
                />
                {option.label}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <Switch label="Dark mode" checked={dark} onCheckedChange={setDark} />
      <div>
        <SoundToggle />
        <p className="pl-17 text-xs text-muted">
          A chime when a feature passes verification and when the project completes.
        </p>
      </div>
    </SettingsSection>
  );
}
