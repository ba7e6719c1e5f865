export * from './deductions.js';
export { disputesMigrations } from './migrations.js';
