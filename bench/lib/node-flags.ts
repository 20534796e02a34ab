// Node flags the end-to-end bench starts processes with.
//
// V8 sizes a heap's next full collection from the live heap after the last one. As we read V8 11's heap
// controller, it also starts marking early once the room left is smaller than its young generation. A
// pipeline's heap is small (~30 MB live, most of it code) while every in-flight event gets promoted, so
// on its own V8 runs a full collection every few thousand records. Sluice's contestant fixes V8's heap
// growing percent with tuneProcess() (as the examples do), which is most of what the flag below did; the
// flag still keeps the first 96 MB of each thread's old generation free of full collections.

/**
 * What we recommend for a Sluice process on top (README, Migrating; bench/README.md, Garbage collection): no full collection while the old
 * generation is under 96 MB. Before pipelines set the heap growing percent, it gave Sluice +19–23%
 * records/s in three runs of `pnpm bench` (2026-12-03 and 04, two machines); kafkajs alone gained
 * nothing from it in an A/B. Peak RSS under a stalled sink is higher with it: each thread may keep up to
 * 96 MB of old generation.
 */
// package.json's example:insight-logs script starts with the same flag (JSON cannot import it).
export const SLUICE_NODE_FLAGS = ["--initial-old-space-size=96"] as const;

/**
 * The emulator stands in for a cluster on other machines: its own collections should take as little of
 * the contestants' two cores as they can (its heap is small and its garbage short-lived).
 */
export const EMULATOR_NODE_FLAGS = ["--heap-growing-percent=300"] as const;
