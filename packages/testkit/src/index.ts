/** @autowright/testkit: fakes and fixtures for tests. A dev dependency only. */
export type { AutoforgeFeatureRow, AutoforgeFixtureOptions } from "./autoforge-fixture.ts";
export { writeAutoforgeProject } from "./autoforge-fixture.ts";
export { testFeature } from "./features.ts";
export { eventually, processRunning } from "./processes.ts";
export type { TemporaryDirectory } from "./temp-directory.ts";
export { temporaryDirectory } from "./temp-directory.ts";
