/**
 * The event bus of one project. Durable events go to the store's event log first (which gives them their `seq`)
 * and are then published in `seq` order; feature events the store appended inside its own transactions are
 * published the same way by {@link EventBus.flush}. Ephemeral events are published directly and never stored.
 *
 * Invariant: every durable event in the log is published exactly once, in `seq` order, with no gap, and every
 * listener receives all events in the order they were published, even when a listener publishes in turn.
 */
import type { DurableEventType, EphemeralEventType, EventData, ServerEvent } from "@autowright/protocol";
import { AppError } from "@autowright/protocol";
import type { ProjectStore, StoredEvent } from "@autowright/store";

/** Receives every published event. */
export type EventListener = (event: ServerEvent) => void;

/** How many log rows {@link EventBus.flush} reads at a time. */
const flushPageSize = 1_000;

type PendingEvent = {
  readonly [T in DurableEventType]: { readonly type: T; readonly data: EventData<T> };
}[DurableEventType];

/** The bus of one project. */
export class EventBus {
  readonly #store: ProjectStore;
  readonly #listeners = new Set<EventListener>();
  readonly #now: () => Date;
  #publishedSeq: number;
  /** Coalesced durable events not yet appended, by key, in the order of their latest update. */
  readonly #pending = new Map<string, PendingEvent>();
  #pendingTimer: NodeJS.Immediate | undefined;
  /** Events published but not yet delivered to every listener (a listener may publish while being called). */
  readonly #deliveries: ServerEvent[] = [];
  #delivering = false;
  /** Listeners that have thrown: each failure is reported once, as a `log.appended` error to the others. */
  readonly #failedListeners = new Set<EventListener>();
  #closed = false;

  constructor(store: ProjectStore, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#now = now;
    this.#publishedSeq = store.lastSeq();
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Appends a durable event to the log and publishes it, after any coalesced events still pending and any events
   * the store appended since the last publication.
   */
  durable<T extends DurableEventType>(type: T, data: EventData<T>): void {
    this.#assertOpen();
    this.#appendPending();
    this.#publishStored(this.#store.appendEvent(type, data));
  }

  /**
   * Queues a durable event that only matters as the latest of its kind, such as an agent's `agent.updated` state:
   * a newer event with the same `key` replaces a queued one that has not been appended yet. Queued events are
   * appended and published at the end of the current turn of the event loop, or earlier, before the next
   * {@link EventBus.durable} or on {@link EventBus.flush}, in the order of their latest update. So a burst of
   * frames read in one chunk costs one append per key, and nothing waits for a timer. Call
   * {@link EventBus.flush} before closing the store.
   */
  coalesce<T extends DurableEventType>(key: string, type: T, data: EventData<T>): void {
    this.#assertOpen();
    this.#pending.delete(key);
    this.#pending.set(key, { type, data } as PendingEvent);
    this.#pendingTimer ??= setImmediate(() => {
      this.#pendingTimer = undefined;
      try {
        this.flush();
      } catch (error) {
        // Nobody awaits this turn: the failure (a store closed under the run, say) goes to the listeners.
        this.#pending.clear();
        this.#deliver(this.#errorLine(`could not record queued events: ${messageOf(error)}`));
      }
    });
  }

  /** Publishes a live-only event (dropped once the bus is closed). */
  ephemeral<T extends EphemeralEventType>(type: T, data: EventData<T>): void {
    if (this.#closed) return;
    this.#deliver({ v: 1, at: this.#now().toISOString(), type, data } as ServerEvent);
  }

  /** Appends the coalesced events still queued, then publishes every durable event not published yet. */
  flush(): void {
    this.#assertOpen();
    this.#appendPending();
    this.#publishLog();
  }

  /**
   * Appends and publishes what is still queued, then closes the bus: from now on durable events are refused (an
   * `AppError("store_closed")`: their store is about to close) and ephemeral ones dropped. Closing twice is a no-op.
   */
  close(): void {
    if (this.#closed) return;
    try {
      this.flush();
    } finally {
      this.#closed = true;
      if (this.#pendingTimer !== undefined) clearImmediate(this.#pendingTimer);
      this.#pendingTimer = undefined;
      this.#pending.clear();
    }
  }

  /** True once {@link EventBus.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #assertOpen(): void {
    if (this.#closed)
      throw new AppError("store_closed", "the event bus is closed: the run it served has ended");
  }

  #appendPending(): void {
    if (this.#pendingTimer !== undefined) {
      clearImmediate(this.#pendingTimer);
      this.#pendingTimer = undefined;
    }
    for (const [key, event] of this.#pending) {
      this.#pending.delete(key);
      this.#publishStored(this.#store.appendEvent(event.type, event.data));
    }
  }

  /** Publishes an event just appended, reading the log first when the store appended others before it. */
  #publishStored(stored: StoredEvent): void {
    if (stored.seq !== this.#publishedSeq + 1) this.#publishLog();
    if (stored.seq <= this.#publishedSeq) return;
    this.#publish(stored);
  }

  #publishLog(): void {
    for (;;) {
      const events = this.#store.eventsSince(this.#publishedSeq, flushPageSize);
      for (const stored of events) this.#publish(stored);
      if (events.length < flushPageSize) return;
    }
  }

  #publish(stored: StoredEvent): void {
    this.#publishedSeq = stored.seq;
    this.#deliver({
      v: 1,
      seq: stored.seq,
      at: stored.at,
      type: stored.type,
      data: stored.data,
    } as ServerEvent);
  }

  #deliver(event: ServerEvent): void {
    this.#deliveries.push(event);
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#deliveries.shift(); next !== undefined; next = this.#deliveries.shift()) {
        for (const listener of this.#listeners) {
          try {
            listener(next);
          } catch (error) {
            // A failing listener must not stop the others or the orchestrator; it is reported once.
            this.#reportListenerFailure(listener, next, error);
          }
        }
      }
    } finally {
      this.#delivering = false;
    }
  }

  #reportListenerFailure(listener: EventListener, event: ServerEvent, error: unknown): void {
    if (this.#failedListeners.has(listener)) return;
    this.#failedListeners.add(listener);
    this.#deliveries.push(
      this.#errorLine(
        `an event listener failed on ${event.type}${event.seq === undefined ? "" : ` #${event.seq}`}: ${messageOf(error)} (its later failures are not reported)`,
      ),
    );
  }

  #errorLine(line: string): ServerEvent {
    return {
      v: 1,
      at: this.#now().toISOString(),
      type: "log.appended",
      data: { level: "error", source: "orchestrator", line },
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
