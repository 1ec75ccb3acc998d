// The test command's closing lines, from vitest's JSON report: the ten slowest files, then one plain
// line any CI can read, "N passed, N failed[, N skipped]". A file whose suite failed as a whole (it
// did not load, or a beforeAll threw, so its tests count as skipped or not at all) counts as failed,
// with its name and first line of error, so a red run never closes on "0 failed".
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface FileResult {
  name: string;
  status: string;
  message?: string;
  startTime?: number;
  endTime?: number;
  assertionResults: { status: string }[];
}

export interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: FileResult[];
}

/** Files that failed without a failed test of their own: they did not load, or a hook threw. */
function failedSuites(report: VitestReport): FileResult[] {
  return report.testResults.filter(
    (file) => file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed'),
  );
}

export function summarize(report: VitestReport, root = process.cwd()): string[] {
  const lines: string[] = [];
  const timed = report.testResults
    .filter((f) => f.startTime !== undefined && f.endTime !== undefined)
    .map((f) => ({ name: relative(root, f.name), ms: (f.endTime ?? 0) - (f.startTime ?? 0) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 10);
  if (timed.length > 0) {
    lines.push('slowest files:');
    for (const f of timed) lines.push(`  ${(f.ms / 1000).toFixed(1).padStart(7)} s  ${f.name}`);
  }
  const suites = failedSuites(report);
  for (const file of suites) {
    const first = (file.message ?? 'failed').split('\n')[0];
    lines.push(`failed suite: ${relative(root, file.name)}: ${first}`);
  }
  const skipped = report.numPendingTests + report.numTodoTests;
  const failed = report.numFailedTests + suites.length;
  const suiteNote = suites.length > 0 ? ` (${suites.length} of them whole files)` : '';
  lines.push(
    `${report.numPassedTests} passed, ${failed} failed${suiteNote}${skipped ? `, ${skipped} skipped` : ''}`,
  );
  return lines;
}

if (import.meta.main) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node scripts/test-summary.ts <vitest-json-report>');
  const report = JSON.parse(readFileSync(file, 'utf8')) as VitestReport;
  console.log(summarize(report).join('\n'));
}
