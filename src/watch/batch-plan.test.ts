import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../stack/model.ts';
import { planBatch } from './batch-plan.ts';

const dir = '/p/services/orders';
const service = {
  name: 'orders',
  build: { context: dir, dockerfile: 'Dockerfile', args: {} },
  watch: [
    { path: `${dir}/src`, action: 'sync+restart', target: '/app/src', ignore: ['*.test.ts'], include: [] },
    { path: `${dir}/package.json`, action: 'rebuild', ignore: [], include: [] },
    { path: `${dir}/static`, action: 'sync', target: '/app/static', ignore: [], include: [] },
  ],
} as unknown as ServiceSpec;
const change = (path: string, deleted = false) => ({ path: `${dir}/${path}`, deleted });

describe('planBatch', () => {
  it('maps files to their container paths and takes the strongest action', () => {
    expect(planBatch(service, [change('static/a.css')], '/p')).toEqual({
      service: 'orders',
      action: 'sync',
      files: ['static/a.css'],
      sync: [{ path: `${dir}/static/a.css`, deleted: false, target: '/app/static/a.css' }],
      exec: [],
    });
    const plan = planBatch(service, [change('static/a.css'), change('src/lib/x.ts', true)], '/p');
    expect(plan?.action).toBe('sync+restart');
    expect(plan?.sync.map((s) => [s.target, s.deleted])).toEqual([
      ['/app/static/a.css', false],
      ['/app/src/lib/x.ts', true],
    ]);
    expect(planBatch(service, [change('src/x.ts'), change('package.json')], '/p')?.action).toBe('rebuild');
  });

  it('ignores what no rule covers, rule ignores, node_modules and swap files', () => {
    for (const path of [
      'README.md',
      'src/x.test.ts',
      'src/node_modules/a.js',
      'src/.x.ts.swp',
      'package.json.bak',
    ]) {
      expect(planBatch(service, [change(path)], '/p'), path).toBeUndefined();
    }
  });

  it('honours include patterns', () => {
    const py = {
      name: 'billing',
      watch: [
        { path: '/p/b', action: 'sync+restart', target: '/app', ignore: ['tests/'], include: ['*.py'] },
      ],
    } as unknown as ServiceSpec;
    expect(planBatch(py, [{ path: '/p/b/app.py', deleted: false }], '/p')?.sync[0]?.target).toBe(
      '/app/app.py',
    );
    expect(planBatch(py, [{ path: '/p/b/requirements.txt', deleted: false }], '/p')).toBeUndefined();
    expect(planBatch(py, [{ path: '/p/b/tests/test_app.py', deleted: false }], '/p')).toBeUndefined();
  });
});
