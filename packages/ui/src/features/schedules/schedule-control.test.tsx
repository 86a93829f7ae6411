import type { Schedule } from "@autowright/protocol";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ProjectStoreProvider } from "../../state/project-context.tsx";
import type { ProjectStore } from "../../state/project-store.ts";
import { durableEvent, type FakeRoute, fakeServer, helloEvent, storeWith } from "../../test-support.ts";
import { NoticeProvider, Notices } from "../../ui/notices.tsx";
import { ScheduleControl } from "./schedule-control.tsx";
import { convertSchedule, zonedTimeToInstant } from "./schedule-time.ts";

// The user sits in India (UTC+5:30, no daylight saving time): every expectation holds all year round. The
// browser may name the zone Asia/Calcutta: what is sent is whatever `Intl` says.
// process is there (Vitest runs on Node); the UI's types know only the browser.
const environment = (globalThis as unknown as { process: { env: Record<string, string | undefined> } })
  .process.env;
const originalZone = environment["TZ"];
beforeAll(() => {
  environment["TZ"] = "Asia/Kolkata";
});
afterAll(() => {
  if (originalZone === undefined) delete environment["TZ"];
  else environment["TZ"] = originalZone;
});

let server: ReturnType<typeof fakeServer> | undefined;
afterEach(() => server?.restore());

const noSchedules = { hasSchedules: false, running: false, scheduledRun: false };

function schedule(fields: Partial<Schedule> = {}): Schedule {
  return {
    id: 1,
    days: ["monday"],
    startTime: "09:00",
    durationMinutes: 60,
    timeZone: "Asia/Kolkata",
    enabled: true,
    yolo: false,
    model: null,
    maxConcurrency: 3,
    crashCount: 0,
    createdAt: "2026-12-01T00:00:00.000Z",
    updatedAt: "2026-12-01T00:00:00.000Z",
    ...fields,
  };
}

function renderControl(store: ProjectStore = storeWith()) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <NoticeProvider>
        <ProjectStoreProvider project="demo" store={store}>
          <ScheduleControl />
        </ProjectStoreProvider>
        <Notices />
      </NoticeProvider>
    </QueryClientProvider>,
  );
  return store;
}

async function openNewForm(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByTestId("schedule-badge"));
  const dialog = await screen.findByRole("dialog");
  await within(dialog).findByText(/No schedule yet/);
  await user.click(within(dialog).getByRole("button", { name: "New schedule" }));
  return screen.getByRole("dialog");
}

describe("ScheduleControl", () => {
  it("creates a schedule from the form: local time, minutes, ordered days, the browser's time zone", async () => {
    const user = userEvent.setup();
    const created: Schedule[] = [];
    server = fakeServer([
      { method: "GET", path: "/api/projects/demo/schedules/next", body: noSchedules },
      { method: "GET", path: "/api/projects/demo/schedules", body: () => ({ schedules: created }) },
      {
        method: "POST",
        path: "/api/projects/demo/schedules",
        status: 201,
        body: ({ body }: { body: unknown }) => {
          const made = schedule({ ...(body as Partial<Schedule>), id: 7 });
          created.push(made);
          return { schedule: made };
        },
      },
    ]);
    renderControl();
    const dialog = await openNewForm(user);
    // The click that opened the form did not submit it.
    expect(server.calls.filter((call) => call.method === "POST")).toHaveLength(0);
    fireEvent.change(within(dialog).getByLabelText("Starts at"), { target: { value: "22:30" } });
    await user.clear(within(dialog).getByLabelText("Hours"));
    await user.type(within(dialog).getByLabelText("Hours"), "10");
    await user.clear(within(dialog).getByLabelText("Minutes"));
    await user.type(within(dialog).getByLabelText("Minutes"), "15");
    await user.click(within(dialog).getByRole("button", { name: "Saturday" }));
    await user.click(within(dialog).getByRole("button", { name: "Monday" }));
    await user.click(within(dialog).getByRole("switch", { name: /YOLO/ }));
    await user.selectOptions(within(dialog).getByLabelText("Agents at once"), "2");
    await user.type(within(dialog).getByLabelText("Model"), "claude-sonnet");
    await user.click(within(dialog).getByRole("button", { name: "Create schedule" }));

    await waitFor(() => expect(server?.calls.some((call) => call.method === "POST")).toBe(true));
    expect(server.calls.find((call) => call.method === "POST")?.body).toEqual({
      days: ["tuesday", "wednesday", "thursday", "friday", "saturday"],
      startTime: "22:30",
      durationMinutes: 615,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      enabled: true,
      yolo: true,
      model: "claude-sonnet",
      maxConcurrency: 2,
    });
    // Back on the list, which shows the new schedule.
    const row = await screen.findByTestId("schedule-row");
    expect(row.textContent).toContain("Tue, Wed, Thu, Fri, Sat");
    expect(row.textContent).toContain("10 h");
    expect(row.textContent).toContain("YOLO");
  });

  it("refuses a form without a day before asking the server", async () => {
    const user = userEvent.setup();
    server = fakeServer([
      { method: "GET", path: "/api/projects/demo/schedules/next", body: noSchedules },
      { method: "GET", path: "/api/projects/demo/schedules", body: { schedules: [] } },
    ]);
    renderControl();
    const dialog = await openNewForm(user);
    for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"])
      await user.click(within(dialog).getByRole("button", { name: day }));
    await user.click(within(dialog).getByRole("button", { name: "Create schedule" }));
    expect(within(dialog).getByText("Choose at least one day.")).toBeTruthy();
    expect(server.calls.some((call) => call.method === "POST")).toBe(false);
  });

  it("shows the server's validation errors on their fields", async () => {
    const user = userEvent.setup();
    let answer = 0;
    server = fakeServer([
      { method: "GET", path: "/api/projects/demo/schedules/next", body: noSchedules },
      { method: "GET", path: "/api/projects/demo/schedules", body: { schedules: [] } },
      {
        method: "POST",
        path: "/api/projects/demo/schedules",
        status: 400,
        body: () =>
          ++answer === 1
            ? {
                error: {
                  code: "invalid_input",
                  message: "maxConcurrency 9 is above the concurrency cap of 5 (settings: concurrencyCap)",
                  details: { maxConcurrency: 9, concurrencyCap: 5 },
                },
              }
            : {
                error: {
                  code: "invalid_input",
                  message: "body.startTime: a time is HH:MM; body.timeZone: an IANA time zone",
                  details: {
                    issues: [
                      { path: "body.startTime", message: 'a time is "HH:MM", from 00:00 to 23:59' },
                      { path: "body.timeZone", message: "an IANA time zone such as Europe/Berlin or UTC" },
                    ],
                  },
                },
              },
      },
    ]);
    renderControl();
    const dialog = await openNewForm(user);
    await user.selectOptions(within(dialog).getByLabelText("Agents at once"), "9");
    await user.click(within(dialog).getByRole("button", { name: "Create schedule" }));
    const concurrency = within(dialog).getByLabelText("Agents at once");
    await waitFor(() => expect(concurrency.getAttribute("aria-invalid")).toBe("true"));
    expect(within(dialog).getByText(/above the concurrency cap of 5/)).toBeTruthy();

    await user.click(within(dialog).getByRole("button", { name: "Create schedule" }));
    expect(await within(dialog).findByText('a time is "HH:MM", from 00:00 to 23:59')).toBeTruthy();
    expect(within(dialog).getByLabelText("Starts at").getAttribute("aria-invalid")).toBe("true");
    expect(within(dialog).getByText(/body\.timeZone: an IANA time zone/)).toBeTruthy();
    // Still on the form: nothing was saved.
    expect(within(dialog).getByRole("button", { name: "Create schedule" })).toBeTruthy();
  });

  it("lists schedules in the user's local time, and edits them there", async () => {
    const user = userEvent.setup();
    // 20:00 UTC on Monday and Friday is 01:30 on Tuesday and Saturday in India.
    const stored = schedule({
      id: 3,
      days: ["monday", "friday"],
      startTime: "20:00",
      timeZone: "UTC",
      durationMinutes: 90,
    });
    server = fakeServer([
      {
        method: "GET",
        path: "/api/projects/demo/schedules/next",
        body: { hasSchedules: true, running: false, scheduledRun: false },
      },
      { method: "GET", path: "/api/projects/demo/schedules", body: { schedules: [stored] } },
      {
        method: "PATCH",
        path: "/api/projects/demo/schedules/3",
        body: ({ body }: { body: unknown }) => ({ schedule: { ...stored, ...(body as object) } }),
      },
    ]);
    renderControl();
    await user.click(await screen.findByTestId("schedule-badge"));
    const row = await screen.findByTestId("schedule-row");
    expect(row.textContent).toContain("Tue, Sat");
    expect(row.textContent).toMatch(/01:30.*03:00/);
    expect(row.textContent).toContain("in UTC");

    await user.click(within(row).getByRole("button", { name: /Edit the schedule/ }));
    const dialog = screen.getByRole("dialog");
    expect((within(dialog).getByLabelText("Starts at") as HTMLInputElement).value).toBe("01:30");
    expect(within(dialog).getByRole("button", { name: "Tuesday" }).getAttribute("aria-pressed")).toBe("true");
    expect(within(dialog).getByRole("button", { name: "Monday" }).getAttribute("aria-pressed")).toBe("false");
    expect(within(dialog).getByText(/was set in UTC/)).toBeTruthy();
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(server?.calls.some((call) => call.method === "PATCH")).toBe(true));
    expect(server.calls.find((call) => call.method === "PATCH")?.body).toMatchObject({
      days: ["tuesday", "saturday"],
      startTime: "01:30",
      durationMinutes: 90,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    });
  });

  it("says when the scheduled run ends, and asks again when the run's status changes or the stream reopens", async () => {
    const until = new Date(Date.now() + 2 * 86_400_000);
    let answers = 0;
    const routes: FakeRoute[] = [
      {
        method: "GET",
        path: "/api/projects/demo/schedules/next",
        body: () => {
          answers += 1;
          return answers === 1
            ? {
                hasSchedules: true,
                running: true,
                scheduledRun: true,
                active: {
                  scheduleId: 1,
                  start: new Date(Date.now() - 3_600_000).toISOString(),
                  end: until.toISOString(),
                  until: until.toISOString(),
                  scheduleIds: [1],
                },
              }
            : {
                hasSchedules: true,
                running: false,
                scheduledRun: false,
                next: {
                  scheduleId: 1,
                  start: until.toISOString(),
                  end: new Date(until.getTime() + 3_600_000).toISOString(),
                },
              };
        },
      },
    ];
    server = fakeServer(routes);
    const store = renderControl(storeWith({ events: [helloEvent({ run: { status: "running" } })] }));
    const weekday = until.toLocaleDateString("en-US", { weekday: "short" });
    const clock = until.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const badge = await screen.findByTestId("schedule-badge");
    await waitFor(() => expect(badge.textContent).toBe(`Running until ${weekday} ${clock}`));
    expect(answers).toBe(1);

    act(() =>
      store.dispatch({ type: "events", events: [durableEvent("run.updated", { status: "stopped" }, 1)] }),
    );
    await waitFor(() => expect(badge.textContent).toBe(`Next: ${weekday} ${clock}`));
    expect(answers).toBe(2);

    // A dropped stream that comes back asks again (the server may have restarted); nothing else does.
    act(() => store.dispatch({ type: "connection", status: "reconnecting" }));
    act(() => store.dispatch({ type: "connection", status: "open" }));
    await waitFor(() => expect(answers).toBe(3));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answers).toBe(3);
  });
});

describe("schedule times", () => {
  it("converts a schedule between zones, across midnight", () => {
    const reference = Date.UTC(2026, 11, 3, 12);
    expect(convertSchedule(["monday", "friday"], "20:00", "UTC", "Asia/Kolkata", reference)).toEqual({
      days: ["tuesday", "saturday"],
      startTime: "01:30",
      dayShift: 1,
    });
    expect(convertSchedule(["sunday"], "03:00", "Asia/Tokyo", "UTC", reference)).toEqual({
      days: ["saturday"],
      startTime: "18:00",
      dayShift: -1,
    });
  });

  it("finds the instant of a wall-clock time in a zone with daylight saving time", () => {
    expect(new Date(zonedTimeToInstant(2026, 7, 1, 9, 0, "Europe/Berlin")).toISOString()).toBe(
      "2026-07-01T07:00:00.000Z",
    );
    expect(new Date(zonedTimeToInstant(2026, 12, 1, 9, 0, "Europe/Berlin")).toISOString()).toBe(
      "2026-12-01T08:00:00.000Z",
    );
  });
});
