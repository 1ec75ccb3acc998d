import type { CommandSpec } from '../command.ts';

export const spec: CommandSpec = {
  name: 'prune',
  summary: 'remove throwaway test stacks whose owning process is gone',
  usage: 'mkdev prune',
  help: `Throwaway stacks (mkdev/testing) are labelled with the process that started them. When that process
died without stopping them (a crash, SIGKILL), any mkdev invocation removes them; this command does
only that. Stacks started with 'mkdev up', and reusable test stacks, are never touched.`,
  options: {},
  allowPositionals: false,
};
