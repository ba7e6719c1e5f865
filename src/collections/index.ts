export * from './aging.js';
export {
  type ArChanges,
  changeLogCovering,
  keepArChanges,
  type OpenChanges,
  refreshOpenChanges,
  snapshotsWithoutChanges,
} from './changes.js';
export * from './core/aging.js';
export * from './core/buckets.js';
export * from './core/dates.js';
export { CollectionsError } from './core/errors.js';
export * from './core/metrics.js';
export * from './metrics.js';
export { collectionsMigrations } from './migrations.js';
export { chooseStrategy } from './open-items.js';
export { type ArSnapshot, snapshotClosedPeriods, takeArSnapshot } from './snapshots.js';
