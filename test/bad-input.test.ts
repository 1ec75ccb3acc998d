// Every bad input we know, as a new user would make it: each gets an exit code (2 for the command line,
// 1 otherwise), a message naming the cause, a `hint:` line, no stack trace, nothing left on the
// engine for the test's own project, and no secret written.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectResources, removeProject, testProject } from './support/cli.ts';

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly files?: Record<string, string>;
  readonly exit: 1 | 2;
  /** Matched against the first line of stderr after `mkdev: `. */
  readonly message: RegExp;
  /** Commands that take no -p (new-service). */
  readonly withoutProject?: boolean;
}

// A tiny stack on an image the offline set has, so the cases that reach the engine stay cheap.
const NODE = 'node:24-bookworm-slim';
const own = (service: string) => `extends: none\nservices:\n  api:\n    image: ${NODE}\n${service}`;

const CASES: Case[] = [
  { name: 'unknown command', args: ['frobnicate'], exit: 2, message: /^unknown command 'frobnicate'$/ },
  {
    name: 'unknown option',
    args: ['status', '--nope'],
    exit: 2,
    message: /^status: Unknown option '--nope'$/,
  },
  { name: 'up of an unknown service', args: ['up', 'nosuch'], exit: 2, message: /^no service 'nosuch'/ },
  { name: 'logs of an unknown service', args: ['logs', 'nosuch'], exit: 2, message: /^no service 'nosuch'/ },
  {
    name: 'down -t not a number',
    args: ['down', '-t', 'soon'],
    exit: 2,
    message: /whole seconds, not 'soon'/,
  },
  {
    name: 'logs --tail not a number',
    args: ['logs', '--tail', 'abc'],
    exit: 2,
    message: /--tail .* not 'abc'/,
  },
  {
    name: 'logs --since nonsense',
    args: ['logs', '--since', 'yesterday'],
    exit: 2,
    message: /not 'yesterday'/,
  },
  {
    name: 'new-service without a name',
    args: ['new-service'],
    exit: 2,
    message: /missing the service name/,
    withoutProject: true,
  },
  {
    name: 'new-service two names',
    args: ['new-service', 'a', 'b'],
    exit: 2,
    message: /one service name, got 2/,
    withoutProject: true,
  },
  {
    name: 'new-service bad name',
    args: ['new-service', 'Bad_Name'],
    exit: 2,
    message: /'Bad_Name' is not a valid/,
    withoutProject: true,
  },
  {
    name: 'new-service bad port',
    args: ['new-service', 'x', '--port', 'abc'],
    exit: 2,
    message: /got 'abc'/,
    withoutProject: true,
  },
  {
    name: 'new-service bad language',
    args: ['new-service', 'x', '--lang', 'cobol'],
    exit: 2,
    message: /'cobol'/,
    withoutProject: true,
  },
  {
    name: 'new-service reserved name',
    args: ['new-service', 'kong'],
    exit: 1,
    message: /'kong' is one of the stack's own/,
    withoutProject: true,
  },
  {
    name: 'missing -f file',
    args: ['up', '-f', 'nope.yaml'],
    exit: 1,
    message: /cannot read nope\.yaml: no such file/,
  },
  {
    name: 'missing image map',
    args: ['up', '--images', 'nope-map.yaml'],
    exit: 1,
    message: /image map nope-map\.yaml: no such file/,
  },
  {
    name: 'YAML syntax error',
    args: ['up'],
    files: { 'mkdev.yaml': 'services:\n  api: [\n' },
    exit: 1,
    message: /^mkdev\.yaml:\d+:\d+: invalid YAML/,
  },
  {
    name: 'bad port string',
    args: ['up'],
    files: { 'mkdev.yaml': 'services:\n  kong:\n    ports:\n      - nonsense\n' },
    exit: 1,
    message: /^mkdev\.yaml:4:9: services\.kong\.ports\[0\]: got 'nonsense'; expected "CONTAINER"/,
  },
  {
    name: 'bad depends_on condition',
    args: ['up'],
    files: { 'mkdev.yaml': own('    depends_on: { db: { condition: healthy } }\n') },
    exit: 1,
    message: /depends_on\.db\.condition: got 'healthy'; allowed: started, ready, completed$/,
  },
  {
    name: 'unknown field',
    args: ['up'],
    files: { 'mkdev.yaml': own('    portz: [80]\n') },
    exit: 1,
    message: /services\.api\.portz: unknown field 'portz'$/,
  },
  {
    name: 'bad restart policy',
    args: ['up'],
    files: { 'mkdev.yaml': own('    restart: sometimes\n') },
    exit: 1,
    message: /services\.api\.restart: got 'sometimes'; allowed: no, always, unless-stopped/,
  },
  {
    name: 'too many replicas',
    args: ['up'],
    files: { 'mkdev.yaml': own('    replicas: 50\n') },
    exit: 1,
    message: /services\.api\.replicas: got 50; expected at most 20$/,
  },
  {
    name: 'bad extends',
    args: ['up'],
    files: { 'mkdev.yaml': 'extends: other\n' },
    exit: 1,
    message: /extends: got 'other'; allowed: default, none$/,
  },
  {
    name: 'variable not set',
    args: ['up'],
    files: { 'mkdev.yaml': own('    env: { A: "${MKDEV_TEST_NOT_SET}" }\n') },
    exit: 1,
    message: /variable MKDEV_TEST_NOT_SET is not set/,
  },
  {
    name: 'neither image nor build',
    args: ['up'],
    files: { 'mkdev.yaml': 'extends: none\nservices:\n  api:\n    env: { A: b }\n' },
    exit: 1,
    message: /service 'api' has neither image nor build/,
  },
  {
    name: 'dependency on a missing service',
    args: ['up'],
    files: { 'mkdev.yaml': own('    depends_on: [db]\n') },
    exit: 1,
    message: /'api' depends on 'db', which is not a service/,
  },
  {
    name: 'dependency cycle',
    args: ['up'],
    files: {
      'mkdev.yaml': `extends: none\nservices:\n  a:\n    image: ${NODE}\n    depends_on: [b]\n  b:\n    image: ${NODE}\n    depends_on: [a]\n`,
    },
    exit: 1,
    message: /^dependency cycle: /,
  },
  {
    name: 'missing build context',
    args: ['up'],
    files: { 'mkdev.yaml': 'extends: none\nservices:\n  api:\n    build: services/nope\n' },
    exit: 1,
    message: /^api: build: build context services\/nope does not exist$/,
  },
  {
    name: 'missing bind-mount source, on the default stack (no secret may be written)',
    args: ['up', 'prometheus'],
    files: { 'mkdev.yaml': 'services:\n  prometheus:\n    volumes: ["./nope-dir:/data"]\n' },
    exit: 1,
    message: /^prometheus: volumes\[0\]: bind-mount source .*\/nope-dir does not exist$/,
  },
  {
    name: 'image neither present nor pullable',
    args: ['up'],
    files: { 'mkdev.yaml': 'extends: none\nservices:\n  api:\n    image: mkdev-test-absent/nothing:1\n' },
    exit: 1,
    message: /^api: image: image mkdev-test-absent\/nothing:1 is not present and cannot be pulled/,
  },
  {
    name: "a multi-stage build's toolchain image (BUILD_IMAGE) neither present nor pullable",
    args: ['up'],
    files: {
      'mkdev.yaml':
        'extends: none\nservices:\n  api:\n    build: { context: ., args: { BUILD_IMAGE: mkdev-test-absent/golang:1 } }\n',
      Dockerfile: 'ARG BUILD_IMAGE\nFROM ${BUILD_IMAGE} AS build\nFROM scratch\n',
    },
    exit: 1,
    message:
      /^api: build\.args\.BUILD_IMAGE: image mkdev-test-absent\/golang:1 is not present and cannot be pulled/,
  },
  {
    name: 'several preflight problems, reported together',
    args: ['up'],
    files: {
      'mkdev.yaml':
        'extends: none\nservices:\n  api:\n    build: services/nope\n  web:\n    image: mkdev-test-absent/nothing:1\n    volumes: ["./nope-dir:/data"]\n',
    },
    exit: 1,
    message: /^3 problems found before starting anything \(nothing was created\):$/,
  },
  {
    name: 'a job that keeps failing (retried, then up fails and removes what it created)',
    args: ['up'],
    files: { 'mkdev.yaml': own('    one_shot: true\n    command: [node, -e, "process.exit(3)"]\n') },
    exit: 1,
    message: /^api failed: the job exited with code 3 \(4 attempts\)$/,
  },
  {
    name: 'a readiness probe on a port the service does not publish',
    args: ['up'],
    files: { 'mkdev.yaml': own('    ready: { tcp: { port: 8080 } }\n') },
    exit: 1,
    message:
      /^api: ready\.tcp\.port: the readiness probe uses port 8080, which the service does not publish$/,
  },
  {
    name: 'a service that keeps crashing (its restart policy restarts it; up names the loop)',
    args: ['up'],
    files: {
      'mkdev.yaml': own(
        '    command: [node, -e, "process.exit(2)"]\n    ports: ["8080"]\n    ready: { http: { port: 8080 } }\n',
      ),
    },
    exit: 1,
    message:
      /^api: the container keeps exiting \(restarted \d+ times while waiting(, last exit code 2)?\) while waiting for /,
  },
  {
    name: 'a readiness timeout',
    args: ['up'],
    files: {
      'mkdev.yaml': own(
        '    command: [node, -e, "setInterval(() => {}, 1000)"]\n    ports: ["9"]\n    ready: { http: { port: 9, path: / }, timeout: 2s }\n',
      ),
    },
    exit: 1,
    message: /^api: not ready after 2 s: waited for GET :9\/ -> 2xx \(last: /,
  },
];

const projects: string[] = [];
afterAll(() => Promise.all(projects.map(removeProject)));

describe('bad input', () => {
  it('has at least 25 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const project = testProject('bad', c.files ?? {});
    projects.push(project.name);
    const result = await project.run(c.args, { withoutProject: c.withoutProject ?? false });
    // Progress lines of `up` come first on stderr; the error starts at the first `mkdev: ` line.
    const lines = result.stderr.split('\n');
    const error = lines.find((l) => l.startsWith('mkdev: '));
    expect(result.exitCode, result.all).toBe(c.exit);
    expect(error?.replace(/^mkdev: /, ''), result.stderr).toMatch(c.message);
    expect(
      lines.some((l) => l.startsWith('hint: ')),
      result.stderr,
    ).toBe(true);
    expect(result.all).not.toMatch(/\n\s+at |internal error/);
    const left = await projectResources(project.name);
    expect([left.containers, left.networks, left.volumes].map((l) => l.length)).toEqual([0, 0, 0]);
    expect(existsSync(join(project.dir, '.mkdev', 'secrets.json'))).toBe(false);
  });
});
