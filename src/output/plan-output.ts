// `mkdev up --dry-run`: the plan's operations as a table, or as NDJSON (one object per operation,
// then one for the plan), in the order they were planned, each with why and what it comes after.
import { changesEngine, type Operation, operationVerb } from '../plan/operations.ts';
import type { Plan } from '../plan/plan.ts';
import { style } from './style.ts';
import { renderTable } from './table.ts';

const afterOf = (op: Operation) => [...op.after, ...(op.type === 'wait-for' ? op.on : [])];

export function renderPlan(plan: Plan): string {
  const changing = plan.operations.filter(changesEngine).length;
  const headline =
    changing === 0
      ? `${plan.project}: nothing to change (${plan.operations.length} operations keep, wait, probe and run actions)`
      : `${plan.project}: ${plan.operations.length} operations, ${changing} of them change the engine (marked *)`;
  const rows = plan.operations.map((op) => [
    `${changesEngine(op) ? '*' : ' '}${op.id}`,
    operationVerb(op),
    op.resource,
    op.cause,
    afterOf(op)
      .map((id) => `#${id}`)
      .join(' '),
  ]);
  return `${style('bold', headline)}\n\n${renderTable(['#', 'OPERATION', 'ON', 'WHY', 'AFTER'], rows)}\n\n${style(
    'dim',
    'dry run: nothing was changed',
  )}\n`;
}

export function jsonPlan(plan: Plan): string {
  const lines = plan.operations.map((op) =>
    JSON.stringify({
      type: 'operation',
      id: op.id,
      operation: op.type,
      ...(op.type === 'reach' ? { milestone: op.milestone } : {}),
      services: op.services,
      resource: op.resource,
      cause: op.cause,
      after: afterOf(op),
      changesEngine: changesEngine(op),
    }),
  );
  const changing = plan.operations.filter(changesEngine).length;
  const summary = {
    type: 'plan',
    project: plan.project,
    dryRun: true,
    operations: plan.operations.length,
    changing,
  };
  return `${[...lines, JSON.stringify(summary)].join('\n')}\n`;
}
