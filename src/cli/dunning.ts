import type { Command } from 'commander';

/** CLI adapter for dunning. `report` is the shared `openar report` command, to hang report subcommands on. */
export function registerDunning(_program: Command, _report: Command): void {}
