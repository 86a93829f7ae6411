import { describe, expect, it } from "vitest";
import { durableEvent, ephemeralEvent, helloEvent, idleEnvironment, makeFeature } from "../test-support.ts";
import { ProjectStore } from "./project-store.ts";

/** A store whose stream is fed by hand through its client's callbacks (reached via a fake socket factory). */
function storeWithSocket() {
  let socket: { onmessage: ((message: { data: string }) => void) | null; readyState: number } | undefined;
  const flushes: (() => void)[] = [];
  let loads = 0;
  const store = new ProjectStore("demo", {
    environment: {
      ...idleEnvironment,
      createSocket: () => {
        socket = { onmessage: null, readyState: 1, close() {}, send() {} } as never;
        return socket as unknown as WebSocket;
      },
    },
    scheduleFlush: (flush) => flushes.push(flush),
    loadFeatures: async () => {
      loads += 1;
      return { features: [makeFeature(1), makeFeature(2, { status: "passing" })] };
    },
  });
  store.start();
  const receive = (frame: unknown) => socket?.onmessage?.({ data: JSON.stringify(frame) });
  return { store, receive, flushes, loads: () => loads };
}

describe("the project store", () => {
  it("renders the snapshot at once, loads the backlog on every hello, and batches the other events", async () => {
    const { store, receive, flushes, loads } = storeWithSocket();
    const changes: number[] = [];
    store.subscribe(() => changes.push(store.view.live.lastSeq));
    receive(helloEvent({ run: { status: "running" } }, 2));
    expect(store.view.hasSnapshot).toBe(true);
    expect(store.view.connection).toBe("open");
    await Promise.resolve();
    await Promise.resolve();
    expect(loads()).toBe(1);
    expect(store.view.features.size).toBe(2);

    receive(durableEvent("run.updated", { status: "paused" }, 3));
    receive(durableEvent("run.updated", { status: "running" }, 4));
    expect(store.view.live.lastSeq).toBe(2);
    expect(flushes).toHaveLength(1);
    const before = changes.length;
    flushes[0]?.();
    expect(changes.length).toBe(before + 1);
    expect(store.view.live.lastSeq).toBe(4);

    receive(helloEvent({}, 4));
    await Promise.resolve();
    await Promise.resolve();
    expect(loads()).toBe(2);
    store.close();
  });

  it("keeps log lines in the rings, not in the view", () => {
    const { store, receive } = storeWithSocket();
    receive(helloEvent());
    const view = store.view;
    receive(
      ephemeralEvent("log.appended", {
        line: "npm test: ok",
        level: "info",
        source: "verifier",
        featureId: 1,
      }),
    );
    receive(ephemeralEvent("devserver.log.appended", { line: "listening on 5173" }));
    expect(store.view).toBe(view);
    expect(store.logs.toArray()).toEqual([
      expect.objectContaining({ line: "npm test: ok", source: "verifier", featureId: 1 }),
    ]);
    expect(store.devServerLogs.at(0)?.line).toBe("listening on 5173");
    store.close();
  });

  it("ignores everything once closed", () => {
    const { store, receive } = storeWithSocket();
    receive(helloEvent());
    store.close();
    receive(durableEvent("run.updated", { status: "running" }, 1));
    store.dispatch({ type: "connection", status: "open" });
    expect(store.view.live.snapshot.run.status).toBe("stopped");
    expect(store.view.connection).toBe("stopped");
  });
});
