// `mkdev ui` as a child process of a test: started on a free port, its URL read from what it prints.
import type { ResultPromise } from 'execa';
import type { TestProject } from './cli.ts';

export interface RunningUi {
  readonly url: string;
  readonly base: string;
  readonly token: string;
  readonly process: ResultPromise;
  /** Ctrl-C, as a user stops it: resolves with its exit code. */
  stop(): Promise<number | undefined>;
}

export async function startUi(project: TestProject, args: readonly string[] = []): Promise<RunningUi> {
  const child = project.run(['ui', '--port', '0', '--no-open', ...args], { timeout: 900_000 });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const found = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
      if (found) resolve(found[0]);
    });
    child.then((r) => reject(new Error(`mkdev ui exited ${r.exitCode}:\n${r.all}`)), reject);
  });
  const parsed = new URL(url);
  return {
    url,
    base: `${parsed.origin}/`,
    token: parsed.searchParams.get('token') ?? '',
    process: child as unknown as ResultPromise,
    stop: async () => {
      child.kill('SIGINT');
      return (await child).exitCode;
    },
  };
}
