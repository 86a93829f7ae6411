import { type Feature, featureSchema } from "@autowright/protocol";

const at = "2026-01-02T03:04:05.000Z";

/**
 * A valid feature for tests: `pending`, no dependencies, evidence or lease, created at a fixed time; `fields`
 * override any of it. Parsed with the protocol's schema, so a fixture can never drift from the wire shape.
 */
export function testFeature(fields: Partial<Feature> & Pick<Feature, "id">): Feature {
  return featureSchema.parse({
    priority: fields.id,
    category: "spec",
    name: `Feature ${fields.id}`,
    description: "",
    steps: [],
    dependencies: [],
    status: "pending",
    attempts: 0,
    lastError: null,
    lease: null,
    evidence: [],
    humanInput: null,
    verify: [],
    unverified: false,
    createdAt: at,
    updatedAt: at,
    ...fields,
  });
}
