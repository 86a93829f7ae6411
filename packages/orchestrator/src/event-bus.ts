/**
 * The event bus of one project. Durable events go to the store's event log first (which gives them their `seq`)
 * and are then published in `seq` order; feature events the store appended inside its own transactions are
 * published the same way by {@link EventBus.flush}. Ephemeral events are published directly and never stored.
 */
import type { DurableEventType, EphemeralEventType, EventData, ServerEvent } from "@autowright/protocol";
import type { ProjectStore } from "@autowright/store";

/** Receives every published event. */
export type EventListener = (event: ServerEvent) => void;

/** The bus of one project. */
export class EventBus {
  readonly #store: ProjectStore;
  readonly #listeners = new Set<EventListener>();
  readonly #now: () => Date;
  #publishedSeq: number;

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

  /** Appends a durable event to the log and publishes everything new in the log. */
  durable<T extends DurableEventType>(type: T, data: EventData<T>): void {
    this.#store.appendEvent(type, data);
    this.flush();
  }

  /** Publishes a live-only event. */
  ephemeral<T extends EphemeralEventType>(type: T, data: EventData<T>): void {
    this.#emit({ v: 1, at: this.#now().toISOString(), type, data } as ServerEvent);
  }

  /** Publishes the durable events the store has appended since the last flush. */
  flush(): void {
    for (const stored of this.#store.eventsSince(this.#publishedSeq)) {
      this.#publishedSeq = stored.seq;
      this.#emit({
        v: 1,
        seq: stored.seq,
        at: stored.at,
        type: stored.type,
        data: stored.data,
      } as ServerEvent);
    }
  }

  #emit(event: ServerEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not stop the others or the orchestrator.
      }
    }
  }
}
