// A whole cluster from one server into another, with each major's own tools: the old major's pg_dumpall
// (which knows how to read its catalogs), the new major's psql (which replays plain SQL), streamed from
// one container to the other without touching disk.
import type { PostgresServer } from './postgres-server.ts';

/**
 * The errors of a restore other than the one pg_dumpall's output always causes on a fresh cluster: it
 * creates every role, the connected one too, "to ensure that the role will acquire the right properties
 * even if it already exists (ie, it won't hurt for the CREATE to fail)" (src/bin/pg_dump/pg_dumpall.c,
 * dumpRoles, PostgreSQL 15). The ALTER ROLE after it restores that role's attributes and password.
 */
export function unexpectedRestoreErrors(stderr: string, superuser: string): string[] {
  const expected = `role "${superuser.replace(/"/g, '""')}" already exists`;
  return stderr
    .split('\n')
    .map((line) => /ERROR:\s+(.*)$/.exec(line)?.[1]?.trim())
    .filter((error): error is string => error !== undefined && error !== expected);
}

/**
 * Dumps every role, database and row of `from` into `to`. `to` must be freshly initialised with the same
 * bootstrap superuser and no database but postgres, so the dump creates every other database itself.
 * psql goes on past the expected error above; any other error fails the restore.
 */
export async function dumpAllInto(from: PostgresServer, to: PostgresServer): Promise<{ bytes: number }> {
  const result = await from.engine.execPipe(
    { container: from.container, command: from.command(['pg_dumpall', '-U', from.superuser]) },
    {
      container: to.container,
      command: to.command(['psql', '-X', '-q', '-U', to.superuser, '-d', 'postgres']),
    },
  );
  if (result.from.exitCode !== 0) {
    throw new Error(`pg_dumpall failed (exit ${result.from.exitCode}): ${tail(result.from.stderr)}`);
  }
  const errors = unexpectedRestoreErrors(result.to.stderr, to.superuser);
  if (result.to.exitCode !== 0 || errors.length > 0) {
    throw new Error(
      `restoring with psql failed (exit ${result.to.exitCode}): ${tail(errors.join('\n') || result.to.stderr)}`,
    );
  }
  return { bytes: result.bytes };
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-8).join('\n');
}
