/**
 * Scheduling benchmark: dependency validation plus a full backlog analysis (ready order with transitive-dependent
 * counts, blocked, stall analysis) over 10,000 features and about 40,000 edges. Prints one JSON line.
 *
 * Run: `node --import tsx bench/scheduling.bench.ts`.
 */
import type { FeatureId } from "@autowright/protocol";
import type { SchedulingFeature } from "../packages/domain/src/index.ts";
import { analyzeBacklog, validateDependencyChanges } from "../packages/domain/src/index.ts";

const layerCount = 50;
const layerWidth = 200;
const dependenciesPerFeature = 4;
const passingLayers = 10;
const warmupRuns = 5;
const measuredRuns = 15;
const targetMs = 30;

/** Mulberry32: a small seeded PRNG, so every run benchmarks the same backlog. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A wide layered DAG: each feature after the first layer depends on 4 distinct features of earlier layers, mostly
 * the previous one (which makes many diamonds), sometimes up to five layers back.
 */
function generateBacklog(): SchedulingFeature[] {
  const random = createRandom(20240601);
  const features: SchedulingFeature[] = [];
  const idOf = (layer: number, slot: number): FeatureId => layer * layerWidth + slot + 1;
  for (let layer = 0; layer < layerCount; layer++) {
    for (let slot = 0; slot < layerWidth; slot++) {
      const dependencies = new Set<FeatureId>();
      while (layer > 0 && dependencies.size < dependenciesPerFeature) {
        const back = random() < 0.7 ? 1 : 1 + Math.floor(random() * Math.min(5, layer));
        const near = (slot + Math.floor(random() * 21) - 10 + layerWidth) % layerWidth;
        dependencies.add(idOf(Math.max(0, layer - back), near));
      }
      features.push({
        id: idOf(layer, slot),
        priority: Math.floor(random() * 30) - 5,
        category: `category-${Math.floor(random() * 8)}`,
        status: layer < passingLayers ? "passing" : "pending",
        dependencies: [...dependencies],
        attempts: 0,
        lease: null,
      });
    }
  }
  return features;
}

const features = generateBacklog();
const changes = new Map<FeatureId, readonly FeatureId[]>(
  features.map((feature) => [feature.id, feature.dependencies]),
);
const edgeCount = features.reduce((sum, feature) => sum + feature.dependencies.length, 0);
const emptyGraph = new Map<FeatureId, readonly FeatureId[]>();

function runOnce(): void {
  const violations = validateDependencyChanges({ graph: emptyGraph, changes, maxPerFeature: 20 });
  if (violations.length > 0) throw new Error(`unexpected violations: ${violations[0]?.message}`);
  const analysis = analyzeBacklog(features, { maxAttempts: 3, now: 0 });
  if (analysis.ready.length === 0) throw new Error("expected ready features");
}

for (let run = 0; run < warmupRuns; run++) runOnce();
const durations: number[] = [];
for (let run = 0; run < measuredRuns; run++) {
  const started = performance.now();
  runOnce();
  durations.push(performance.now() - started);
}
durations.sort((left, right) => left - right);
const percentile = (fraction: number): number =>
  durations[Math.min(durations.length - 1, Math.ceil(fraction * durations.length) - 1)] ?? 0;
const round = (value: number): number => Math.round(value * 100) / 100;
console.log(
  JSON.stringify({
    bench: "scheduling",
    features: features.length,
    edges: edgeCount,
    medianMs: round(percentile(0.5)),
    p90Ms: round(percentile(0.9)),
    runs: measuredRuns,
    targetMs,
  }),
);
