// One line per applied change, in the timeline's spirit:
//   orders  src/http-server.ts  synced 35ms  restarted 0.4s  ready 0.9s  (sync+restart)
import type { ChangeReport } from './apply-batch.ts';

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

export function formatChange(report: ChangeReport, serviceWidth: number): string {
  const [first = '', ...rest] = report.files;
  const files = rest.length > 0 ? `${first} +${rest.length}` : first;
  const steps = (
    [
      ['synced', report.syncedMs],
      [report.restarted === 'process' ? 'restarted process' : 'restarted', report.restartedMs],
      ['exec', report.execMs],
      ['rebuilt', report.rebuiltMs],
      ['ready', report.readyMs],
    ] as const
  )
    .filter(([, ms]) => ms !== undefined)
    .map(([name, ms]) => `${name} ${formatMs(ms as number)}`);
  if (report.skipped) steps.push(`then skipped: ${report.skipped}`);
  if (!report.ok) steps.push(`FAILED: ${report.error ?? 'unknown error'}`);
  const line = [report.service.padEnd(serviceWidth), files, ...steps, `(${report.action})`].join('  ');
  if (report.ok || !report.log) return line;
  const log = report.log
    .split('\n')
    .slice(-40)
    .map((l) => `    ${l}`)
    .join('\n');
  return `${line}\n${log}`;
}

export function jsonChange(report: ChangeReport): string {
  return JSON.stringify({ type: 'change', ...report });
}
