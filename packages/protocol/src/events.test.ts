/** The durable/ephemeral split and the event helpers, at run time and at the type level. */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type DurableEvent,
  durableEventTypes,
  type EphemeralEvent,
  type EventData,
  ephemeralEventTypes,
  eventDataSchemas,
  isDurableEventType,
  protocolVersion,
  type ServerEventType,
  serverEventSchema,
} from "./events.ts";
import type { Progress } from "./feature.ts";
import { agentMascotNames } from "./session.ts";

const unionTypes = serverEventSchema.options.map((option) => option.shape.type.value);

describe("event types", () => {
  it("splits every type into exactly one of durable and ephemeral", () => {
    const all = [...durableEventTypes, ...ephemeralEventTypes];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(unionTypes));
  });

  it("has a data schema for every type", () => {
    expect(new Set(Object.keys(eventDataSchemas))).toEqual(new Set(unionTypes));
  });

  it("requires seq exactly on durable types", () => {
    for (const option of serverEventSchema.options) {
      const type = option.shape.type.value;
      expect(option.shape.seq.safeParse(undefined).success, type).toBe(!isDurableEventType(type));
      expect(option.shape.seq.safeParse(1).success, type).toBe(isDurableEventType(type));
    }
  });

  it("knows durable types", () => {
    expect(isDurableEventType("feature.updated")).toBe(true);
    expect(isDurableEventType("log.appended")).toBe(false);
    expect(isDurableEventType("nope")).toBe(false);
  });

  it("has 20 distinct mascot names and protocol version 1", () => {
    expect(new Set(agentMascotNames).size).toBe(20);
    expect(protocolVersion).toBe(1);
  });

  it("types the split and the data", () => {
    expectTypeOf<DurableEvent["seq"]>().toEqualTypeOf<number>();
    expectTypeOf<EphemeralEvent["seq"]>().toEqualTypeOf<undefined>();
    expectTypeOf<EventData<"progress.updated">>().toEqualTypeOf<Progress>();
    expectTypeOf<EventData<"feature.deleted">>().toEqualTypeOf<{ id: number }>();
    expectTypeOf<keyof typeof eventDataSchemas>().toEqualTypeOf<ServerEventType>();
  });
});
