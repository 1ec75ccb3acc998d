// `kong start` / `kong docker-start`: connect, check migrations, build the router, listen, stop on signals.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { createAdminServer } from './admin/server.ts';
import type { Config } from './config.ts';
import { ConfigEvents } from './config-events.ts';
import { connectDb, type Db } from './db.ts';
import { Resolver } from './dns-resolver.ts';
import type { Listener } from './listen.ts';
import { log } from './log.ts';
import { listed, NEEDS_BOOTSTRAP, schemaState } from './migrations.ts';
import { createProxyServer } from './proxy.ts';
import { Runtime } from './runtime.ts';
import { createStatusServer } from './status.ts';
import { startTtlCleanup } from './ttl-cleanup.ts';

export class StartError extends Error {}

/** migrations_utils.check_state refused the schema; `line` is where kong/cmd/utils/migrations.lua raises. */
export class InitError extends StartError {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.line = line;
  }
}

/** kong/init.lua Kong.init: bootstrap needed or new migrations refuse; pending ones only warn. */
async function checkSchema(db: Db): Promise<void> {
  const state = await schemaState(db);
  if (state.needsBootstrap) throw new InitError(NEEDS_BOOTSTRAP, 16);
  if (state.fresh.length > 0)
    throw new InitError("New migrations available; run 'kong migrations up' to proceed", 20);
  if (state.pending.length > 0) log('warn', `database has pending migrations:\n${listed(state.pending)}`);
}

export function pidFile(config: Config): string {
  return join(config.prefix, 'pids', 'nginx.pid');
}

function listen(server: Server, l: Listener): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: l.host, port: l.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function start(
  config: Config,
): Promise<{ runtime: Runtime; stop: (graceful: boolean) => Promise<void> }> {
  try {
    mkdirSync(join(config.prefix, 'pids'), { recursive: true });
    mkdirSync(join(config.prefix, 'logs'), { recursive: true });
  } catch (e) {
    throw new StartError(`could not prepare Kong prefix at ${config.prefix}: ${(e as Error).message}`);
  }
  const resolver = new Resolver(config.dnsResolver, config.dnsOrder, config.dnsHostsfile, config.dnsTtl);
  // kong/resty/dns/client.lua init (:644-647) logs what it took from resolv.conf
  log('debug', `[dns-client] ndots = ${resolver.resolv.ndots}`);
  log('debug', `[dns-client] search = ${resolver.resolv.search.join(', ')}`);
  let db: Db | null = null;
  if (config.database === 'postgres') {
    db = await connectDb(config, resolver);
    try {
      await checkSchema(db);
    } catch (e) {
      await db.end();
      throw e;
    }
  }
  const runtime = new Runtime(config, resolver, db);
  const events = new ConfigEvents(runtime);
  runtime.events = events;
  await events.start();
  const servers: Server[] = [];
  const bind = async (kind: string, listeners: Listener[], make: (l: Listener) => Server) => {
    for (const l of listeners) {
      if (l.ssl) {
        log('warn', `[kong] ${kind} ssl listener ${l.host}:${l.port} is not served by the kong stand-in`);
        continue;
      }
      const s = make(l);
      try {
        await listen(s, l);
      } catch (e) {
        throw new StartError(`nginx: [emerg] bind() to ${l.host}:${l.port} failed (${(e as Error).message})`);
      }
      servers.push(s);
    }
  };
  try {
    await bind('proxy', config.proxyListen, (l) => createProxyServer(runtime, l.port));
    await bind('admin', config.adminListen, () => createAdminServer(runtime));
    await bind('status', config.statusListen, () => createStatusServer(runtime));
  } catch (e) {
    for (const s of servers) s.close();
    await db?.end();
    throw e;
  }
  // connector.lua init_worker: only a node with an Admin API listener runs the TTL cleanup
  const stopCleanup =
    db && config.adminListen.length > 0
      ? startTtlCleanup(db, Number(config.raw._debug_pg_ttl_cleanup_interval) || 300)
      : () => {};
  writeFileSync(pidFile(config), `${process.pid}\n`);
  log('notice', 'using the "epoll" event method');
  log('notice', `start worker process ${process.pid}`);
  log('notice', '*1 [kong] init.lua:_ kong started');
  const stop = async (graceful: boolean) => {
    log('notice', graceful ? 'gracefully shutting down' : 'exiting');
    events.stop();
    stopCleanup();
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            if (!graceful) s.closeAllConnections();
            else {
              s.closeIdleConnections();
              setTimeout(() => s.closeAllConnections(), 3000).unref();
            }
          }),
      ),
    );
    await db?.end().catch(() => {});
    rmSync(pidFile(config), { force: true });
    log('notice', 'exit');
  };
  return { runtime, stop };
}
