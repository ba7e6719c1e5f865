import type { Command } from 'commander';

/** CLI adapter for disputes. `report` is the shared `openar report` command, to hang report subcommands on. */
export function registerDisputes(_program: Command, _report: Command): void {}
