import type { Command } from 'commander';

/** CLI adapter for activity. `report` is the shared `openar report` command, to hang report subcommands on. */
export function registerActivity(_program: Command, _report: Command): void {}
