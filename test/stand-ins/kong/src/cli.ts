// The `kong` command line: start, docker-start, health, version, check, quit/stop, migrations.
import { readFileSync } from 'node:fs';
import { type Config, ConfigError, deprecationWarnings, loadConfig } from './config.ts';
import { DbError } from './db.ts';
import { log, setLogLevel } from './log.ts';
import { MigrationsError, migrations } from './migrations-cli.ts';
import { InitError, pidFile, StartError, start } from './server.ts';
import { KONG_VERSION } from './version.ts';

const USAGE = `Usage: kong COMMAND [OPTIONS]

The available commands are:
 check
 docker-start
 health
 migrations
 prepare
 quit
 start
 stop
 version

Options:
 --v              verbose
 --vv             debug`;

/** kong/cmd/utils/log.lua: warnings carry `os.date("%Y/%m/%d %H:%M:%S")`, local time. */
function cliTime(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function fail(message: string): number {
  process.stderr.write(`Error: ${message}\n\n  Run with --v (verbose) or --vv (debug) for more details\n`);
  return 1;
}

/**
 * Kong's init (kong/init.lua) refused the database. `kong start` reports the error with the Lua
 * position that raised it; docker-start runs nginx directly, whose init_by_lua failure is logged to
 * the error log and to stderr with a stack traceback (Kong/docker-kong's entrypoint execs nginx).
 */
function initFailure(e: InitError, docker: boolean): number {
  const raised = `/usr/local/share/lua/5.1/kong/cmd/utils/migrations.lua:${e.line}: ${e.message}`;
  if (!docker) return fail(raised);
  const traceback = [
    'stack traceback:',
    "\t[C]: in function 'error'",
    `\t/usr/local/share/lua/5.1/kong/cmd/utils/migrations.lua:${e.line}: in function 'check_state'`,
    "\t/usr/local/share/lua/5.1/kong/init.lua:668: in function 'init'",
    '\tinit_by_lua:3: in main chunk',
  ].join('\n');
  const text = `init_by_lua error: ${raised}\n${traceback}`;
  log('error', text);
  process.stderr.write(`nginx: [error] ${text}\n`);
  return 1;
}

/** `-c kong.conf`: `key = value` lines; KONG_* variables still win, as in Kong. */
function envWithConf(args: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  const i = args.findIndex((a) => a === '-c' || a === '--conf');
  const file = i >= 0 ? args[i + 1] : undefined;
  if (file) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^\s*([a-z_0-9]+)\s*=\s*(.*?)\s*$/.exec(line.replace(/(^|[^\\])#.*/, '$1'));
      if (m?.[1] && env[`KONG_${m[1].toUpperCase()}`] === undefined) env[`KONG_${m[1].toUpperCase()}`] = m[2];
    }
  }
  const p = args.findIndex((a) => a === '-p' || a === '--prefix');
  if (p >= 0 && args[p + 1]) env.KONG_PREFIX = args[p + 1];
  return env;
}

function pidAlive(config: Config): number | null {
  try {
    const pid = Number(readFileSync(pidFile(config), 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

async function runServer(config: Config, docker: boolean): Promise<number> {
  const { stop } = await start(config);
  if (!docker) process.stdout.write('Kong started\n');
  return new Promise<number>((resolve) => {
    let stopping = false;
    const on = (graceful: boolean) => () => {
      if (stopping) return;
      stopping = true;
      stop(graceful).then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGQUIT', on(true));
    process.on('SIGTERM', on(false));
    process.on('SIGINT', on(false));
  });
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  const args = argv.slice(1);
  if (cmd === 'version' || cmd === '--version' || cmd === '-v') {
    process.stdout.write(`${args.includes('--all') ? `Kong: ${KONG_VERSION}` : KONG_VERSION}\n`);
    return 0;
  }
  if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return cmd ? 0 : 1;
  }
  let config: Config;
  try {
    config = loadConfig(envWithConf(args));
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message);
    return fail((e as Error).message);
  }
  setLogLevel(args.includes('--vv') ? 'debug' : args.includes('--v') ? 'info' : config.logLevel);
  try {
    switch (cmd) {
      case 'start':
        for (const w of deprecationWarnings(config)) process.stderr.write(`${cliTime()} [warn] ${w}\n`);
        return await runServer(config, false);
      case 'docker-start':
        return await runServer(config, true);
      case 'check':
        process.stdout.write(`configuration at ${sub ?? 'the environment'} is valid\n`);
        return 0;
      case 'prepare':
        process.stdout.write(`prefix prepared at ${config.prefix}\n`);
        return 0;
      case 'health': {
        if (pidAlive(config) === null) return fail(`Kong is not running at ${config.prefix}`);
        process.stdout.write(`nginx.......running\n\nKong is healthy at ${config.prefix}\n`);
        return 0;
      }
      case 'quit':
      case 'stop': {
        const pid = pidAlive(config);
        if (pid === null) return fail(`Kong is not running at ${config.prefix}`);
        process.kill(pid, cmd === 'quit' ? 'SIGQUIT' : 'SIGTERM');
        process.stdout.write(cmd === 'quit' ? 'Kong stopped (gracefully)\n' : 'Kong stopped\n');
        return 0;
      }
      case 'migrations':
        return await migrations(config, sub, rest);
      default:
        return fail(`No such command: ${cmd}`);
    }
  } catch (e) {
    if (e instanceof InitError) return initFailure(e, cmd === 'docker-start');
    if (e instanceof DbError || e instanceof StartError || e instanceof MigrationsError)
      return fail(e.message);
    return fail((e as Error).stack ?? String(e));
  }
}
