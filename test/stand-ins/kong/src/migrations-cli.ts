// `kong migrations bootstrap|up|finish|list|reset|status` with kong/cmd/migrations.lua's output and
// exit codes (list: 3 needs bootstrap, 4 pending, 5 new migrations) and the refusals of
// kong/cmd/utils/migrations.lua.
import type { Config } from './config.ts';
import { connectDb } from './db.ts';
import { Resolver } from './dns-resolver.ts';
import {
  bootstrap,
  finish,
  listed,
  NEEDS_BOOTSTRAP,
  reset,
  type SchemaState,
  schemaState,
  up,
} from './migrations.ts';

/** A refusal: printed as `Error: <message>`, exit 1. */
export class MigrationsError extends Error {}

const print = (l: string) => process.stdout.write(`${l}\n`);
const SUBCOMMANDS = ['bootstrap', 'up', 'finish', 'list', 'reset', 'status'];

function list(state: SchemaState): number {
  if (state.needsBootstrap) {
    print(NEEDS_BOOTSTRAP);
    return 3;
  }
  let r = '';
  if (state.executed.length > 0) {
    print(`Executed migrations:\n${listed(state.executed)}`);
    r = '\n';
  }
  if (state.pending.length > 0) {
    print(`${r}Pending migrations:\n${listed(state.pending)}`);
    r = '\n';
  }
  if (state.fresh.length > 0)
    print(`${r}New migrations available:\n${listed(state.fresh.map((m) => m.name))}`);
  if (state.pending.length > 0) {
    print("\nRun 'kong migrations finish' when ready");
    return 4;
  }
  if (state.fresh.length > 0) {
    print("\nRun 'kong migrations up' to proceed");
    return 5;
  }
  return 0;
}

export async function migrations(config: Config, sub: string | undefined, args: string[]): Promise<number> {
  if (!sub || !SUBCOMMANDS.includes(sub))
    throw new MigrationsError(`No such command for migrations: ${sub ?? ''}`);
  if (config.database === 'off') throw new MigrationsError("cannot run migrations with 'database = off'");
  const resolver = new Resolver(config.dnsResolver, config.dnsOrder, config.dnsHostsfile, config.dnsTtl);
  const db = await connectDb(config, resolver);
  const database = config.pg.database;
  try {
    const state = await schemaState(db);
    const cannot = () => new MigrationsError(`Cannot run migrations: ${NEEDS_BOOTSTRAP}`);
    switch (sub) {
      case 'list':
        return list(state);
      case 'status':
        print(
          JSON.stringify({
            needs_bootstrap: state.needsBootstrap,
            executed_migrations: state.executed,
            pending_migrations: state.pending,
            new_migrations: state.fresh.map((m) => m.name),
          }),
        );
        return 0;
      case 'bootstrap':
        await bootstrap(db, database, print);
        return 0;
      case 'up':
        if (state.needsBootstrap) throw cannot();
        if (state.pending.length > 0)
          throw new MigrationsError("Database has pending migrations; run 'kong migrations finish'");
        await up(db, database, state, print);
        return 0;
      case 'finish':
        if (state.needsBootstrap) throw cannot();
        await finish(db, database, state, print);
        return 0;
      default:
        if (!args.includes('-y') && !args.includes('--yes') && !process.stdin.isTTY)
          throw new MigrationsError("not a tty: invoke 'reset' non-interactively with the --yes flag");
        if (state.needsBootstrap) {
          print('Database not bootstrapped, nothing to reset');
          return 1;
        }
        await reset(db, print);
        return 0;
    }
  } finally {
    await db.end();
  }
}
