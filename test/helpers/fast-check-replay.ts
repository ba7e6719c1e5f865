/**
 * Replays a property test's failure from CI. fast-check prints `{ seed: …, path: "…" }` with a
 * counterexample; run the same file with `FC_SEED=<seed> FC_PATH=<path>` (and `-t <test name>`, as
 * the seed applies to every property in the run) to get the same counterexample back at once.
 * Loaded by vitest.config.ts for every test file; without the variables it does nothing.
 */
import fc from 'fast-check';

const seedText = process.env.FC_SEED;
if (seedText !== undefined && seedText !== '') {
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED takes a whole number, got ${seedText}`);
  const path = process.env.FC_PATH;
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed, ...(path ? { path, endOnFailure: true } : {}) });
}
