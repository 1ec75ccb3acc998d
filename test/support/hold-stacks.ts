// A test process that starts N throwaway stacks, prints their projects, then waits to be killed.
import { startStack } from '../../src/testing/index.ts';

const count = Number(process.argv[2] ?? '3');
const stacks = await Promise.all(Array.from({ length: count }, () => startStack({ services: ['consul'] })));
process.stdout.write(`${JSON.stringify(stacks.map((s) => s.project))}\n`);
setInterval(() => {}, 1 << 30);
