// Reads JSON config files (-config-dir / -config-file, CONSUL_LOCAL_CONFIG via the entrypoint).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentOptions, ConfigError } from './agent-options.ts';
import type { Logger } from './log.ts';

type Json = Record<string, unknown>;

function applyJson(o: AgentOptions, file: string, cfg: Json, log: Logger): void {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  for (const [key, value] of Object.entries(cfg)) {
    switch (key) {
      case 'datacenter':
        o.datacenter = str(value) ?? o.datacenter;
        break;
      case 'node_name':
        o.nodeName = str(value) ?? o.nodeName;
        break;
      case 'data_dir':
        o.dataDir = str(value) ?? o.dataDir;
        break;
      case 'server':
        o.server = value === true;
        break;
      case 'bootstrap':
        o.bootstrap = value === true;
        break;
      case 'bootstrap_expect':
        o.bootstrapExpect = Number(value);
        break;
      case 'client_addr':
        o.clientAddr = str(value) ?? o.clientAddr;
        break;
      case 'bind_addr':
        o.bindAddr = str(value) ?? o.bindAddr;
        break;
      case 'advertise_addr':
        o.advertiseAddr = str(value) ?? o.advertiseAddr;
        break;
      case 'domain':
        o.domain = (str(value) ?? o.domain).replace(/\.$/, '');
        break;
      case 'recursors':
        if (Array.isArray(value)) o.recursors.push(...value.map(String));
        break;
      case 'ui':
        o.ui = value === true;
        break;
      case 'ui_config':
        o.ui = (value as Json).enabled === true;
        break;
      case 'leave_on_terminate':
        o.leaveOnTerminate = value === true;
        break;
      case 'skip_leave_on_interrupt':
        o.skipLeaveOnInterrupt = value === true;
        break;
      case 'enable_script_checks':
        o.enableScriptChecks = value === true;
        break;
      case 'ports': {
        const p = value as Json;
        if (typeof p.http === 'number') o.httpPort = p.http;
        if (typeof p.dns === 'number') o.dnsPort = p.dns;
        if (typeof p.server === 'number') o.serverPort = p.server;
        break;
      }
      case 'performance': {
        const perf = value as Json;
        if (typeof perf.raft_multiplier === 'number') o.raftMultiplier = perf.raft_multiplier;
        break;
      }
      case 'dns_config': {
        const d = value as Json;
        if (typeof d.only_passing === 'boolean') o.onlyPassing = d.only_passing;
        if (typeof d.udp_answer_limit === 'number') o.udpAnswerLimit = d.udp_answer_limit;
        break;
      }
      default:
        log.warn('agent', 'stand-in ignores config key', { file, key });
    }
  }
}

function loadFile(o: AgentOptions, file: string, log: Logger): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`failed to parse ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`failed to parse ${file}: not a JSON object`);
  }
  applyJson(o, file, parsed as Json, log);
}

/** Applies config files in the order Consul does: each -config-dir's *.json files sorted by name. */
export function loadConfigSources(o: AgentOptions, dirs: string[], files: string[], log: Logger): void {
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      throw new ConfigError(`Error reading ${dir}: no such directory`);
    }
    for (const name of names) {
      const full = join(dir, name);
      if (!statSync(full).isFile()) continue;
      if (name.endsWith('.json')) loadFile(o, full, log);
      else if (name.endsWith('.hcl'))
        log.warn('agent', 'stand-in cannot read HCL config, skipped', { file: full });
    }
  }
  for (const file of files) loadFile(o, file, log);
}
