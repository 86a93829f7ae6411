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
import { featureSchema, type Progress } from "./feature.ts";
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
    expectTypeOf<EventData<"project.updated">>().toEqualTypeOf<{
      testCommand: { command: string; recordedAt: string } | null;
    }>();
    expectTypeOf<keyof typeof eventDataSchemas>().toEqualTypeOf<ServerEventType>();
  });

  it("reads feature and progress events written before unverified existed as verified", () => {
    const at = "2026-01-02T03:04:05.000Z";
    const counts = {
      passing: 1,
      inProgress: 0,
      verifying: 0,
      needsInput: 0,
      failed: 0,
      pending: 0,
      blocked: 0,
    };
    const progress = serverEventSchema.parse({
      v: 1,
      seq: 1,
      at,
      type: "progress.updated",
      data: { ...counts, total: 1, percentage: 100 },
    });
    expect(progress.data).toMatchObject({ unverified: 0 });
    const feature = featureSchema.parse({
      id: 1,
      priority: 1,
      category: "",
      name: "A",
      description: "",
      steps: [],
      dependencies: [],
      status: "passing",
      attempts: 0,
      lastError: null,
      lease: null,
      evidence: [],
      humanInput: null,
      verify: [],
      createdAt: at,
      updatedAt: at,
    });
    expect(feature.unverified).toBe(false);
  });
});
