// `mkdev watch` and `mkdev run` refusals: clear messages and exit codes, nothing started.
import { describe, expect, it } from 'vitest';
import { projectResources, testProject } from './support/cli.ts';

describe('mkdev watch / run on the command line', () => {
  it('refuses run without a service or a command (exit 2)', async () => {
    const project = testProject('runcli');
    const none = await project.run(['run']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('run: missing the service name');
    const noCommand = await project.run(['run', 'orders']);
    expect(noCommand.exitCode).toBe(2);
    expect(noCommand.stderr).toContain('missing the command to run as orders');
    expect(noCommand.stderr).toContain('mkdev run orders -- node src/main.ts');
  });

  it('refuses watch when no service has rules, and names a service without them', async () => {
    const project = testProject('watchcli');
    const none = await project.run(['watch']);
    expect(none.exitCode, none.all).toBe(1);
    expect(none.stderr).toContain('no service has watch rules');
    const kong = await project.run(['watch', 'kong']);
    expect(kong.exitCode, kong.all).toBe(1);
    expect(kong.stderr).toContain("service 'kong' has no watch rules");
    const typo = await project.run(['watch', 'ordrs']);
    expect(typo.exitCode, typo.all).toBe(2);
    expect(typo.stderr).toContain("no service 'ordrs' in this stack");
    // up --watch checks its rules before it starts anything.
    const up = await project.run(['up', '--watch']);
    expect(up.exitCode, up.all).toBe(1);
    expect(up.stderr).toContain('no service has watch rules');
    expect((await projectResources(project.name)).containers).toEqual([]);
  });

  it('validates develop.watch rules against the schema', async () => {
    const project = testProject('watchschema', {
      'mkdev.yaml':
        'services:\n  web:\n    image: nginx\n    develop:\n      watch:\n        - { path: src, action: sync }\n',
    });
    const result = await project.run(['status']);
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr).toMatch(/mkdev\.yaml:\d+:\d+: .*target/);
    expect(result.stderr).toContain('sync actions need a target');
  });
});
