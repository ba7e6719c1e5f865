import type { Command } from 'commander';

/** CLI adapter for worklist. `report` is the shared `openar report` command, to hang report subcommands on. */
export function registerWorklist(_program: Command, _report: Command): void {}
