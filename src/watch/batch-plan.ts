// From a batch of changed files to what one service needs: which files go where in its containers,
// and the strongest action their rules ask for (rebuild > sync+restart > sync+exec > sync). Pure.
import { relative } from 'node:path';
import type { ServiceSpec, WatchAction, WatchRule } from '../stack/model.ts';
import { alwaysIgnored, anyOf, toPosix } from './path-filter.ts';

export interface FileChange {
  readonly path: string;
  readonly deleted: boolean;
}

export interface SyncItem extends FileChange {
  /** Absolute path in the container. */
  readonly target: string;
}

export interface BatchPlan {
  readonly service: string;
  readonly action: WatchAction;
  /** The changed files, relative to the service's build context (else the project), for output. */
  readonly files: readonly string[];
  readonly sync: readonly SyncItem[];
  readonly exec: readonly (readonly string[])[];
}

const STRENGTH: Readonly<Record<WatchAction, number>> = {
  sync: 0,
  'sync+exec': 1,
  'sync+restart': 2,
  rebuild: 3,
};

/** The part of `path` below the rule's path ('' when the rule names the file itself), or undefined. */
function below(rule: WatchRule, path: string): string | undefined {
  if (path === rule.path) return '';
  const rel = relative(rule.path, path);
  return rel === '' || rel.startsWith('..') ? undefined : toPosix(rel);
}

export type RuleMatcher = (path: string) => WatchRule[];

export function ruleMatcher(rules: readonly WatchRule[]): RuleMatcher {
  const compiled = rules.map((rule) => ({
    rule,
    ignored: anyOf(rule.ignore),
    included: rule.include.length === 0 ? () => true : anyOf(rule.include),
  }));
  return (path) =>
    compiled
      .filter(({ rule, ignored, included }) => {
        const rel = below(rule, path);
        if (rel === undefined) return false;
        if (rel === '') return true;
        return !alwaysIgnored(rel) && !ignored(rel) && included(rel);
      })
      .map((c) => c.rule);
}

export function planBatch(
  service: ServiceSpec,
  changes: readonly FileChange[],
  projectDir: string,
): BatchPlan | undefined {
  const match = ruleMatcher(service.watch);
  let action: WatchAction | undefined;
  const sync: SyncItem[] = [];
  const exec: (readonly string[])[] = [];
  const files: string[] = [];
  for (const change of changes) {
    const rules = match(change.path);
    if (rules.length === 0) continue;
    files.push(toPosix(relative(service.build?.context ?? projectDir, change.path)));
    for (const rule of rules) {
      if (action === undefined || STRENGTH[rule.action] > STRENGTH[action]) action = rule.action;
      if (rule.target !== undefined && rule.action !== 'rebuild') {
        const rel = below(rule, change.path) ?? '';
        sync.push({
          ...change,
          target: rel === '' ? rule.target : `${rule.target.replace(/\/+$/, '')}/${rel}`,
        });
      }
      if (rule.exec && !exec.some((e) => e.join('\0') === rule.exec?.join('\0'))) exec.push(rule.exec);
    }
  }
  if (action === undefined) return undefined;
  return { service: service.name, action, files, sync, exec };
}
