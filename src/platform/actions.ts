// Actions the stack runs against its own services once they reach a milestone (the plan has each one
// wait until the service it acts on is ready): the Microkubes migrations flag in Consul's KV, and
// Kong's global prometheus plugin. Their clients (consul, undici) are imported when an action runs:
// a no-op `up` runs none and should not pay for loading them.
import type { ActionContext } from '../plan/stack-actions.ts';
import type { Action } from '../stack/model.ts';

function baseUrl(ctx: ActionContext, service: string, port: number): string {
  const target = ctx.targets.get(service);
  const hostPort = target?.hostPort(port);
  if (target === undefined || hostPort === undefined)
    throw new Error(`${service}: port ${port} is not published`);
  return `http://${target.host}:${hostPort}`;
}

/** Runs an action and returns a line saying what it did. */
export async function runAction(action: Action, ctx: ActionContext): Promise<string> {
  switch (action.kind) {
    case 'consul_kv_put': {
      const { putKv } = await import('./consul-kv.ts');
      await putKv(baseUrl(ctx, action.service, action.port), action.key, action.value);
      return `set Consul KV ${action.key}`;
    }
    case 'kong_plugin': {
      if (ctx.self === undefined)
        throw new Error('kong_plugin runs on the Kong service itself (after_ready)');
      const { ensureGlobalPlugin } = await import('./kong-admin.ts');
      const outcome = await ensureGlobalPlugin(
        baseUrl(ctx, ctx.self, action.port),
        action.name,
        action.config,
      );
      const verb = { created: 'enabled', updated: 'updated', kept: 'kept' }[outcome];
      return `${verb} Kong plugin ${action.name}`;
    }
  }
}

/**
 * Clears the Consul KV flags a job sets when it completes (its after_completed consul_kv_put), before
 * it runs again. Returns a line saying what it did.
 */
export async function clearCompletionFlags(actions: readonly Action[], ctx: ActionContext): Promise<string> {
  const flags = actions.filter((a) => a.kind === 'consul_kv_put');
  const { deleteKv } = await import('./consul-kv.ts');
  for (const flag of flags) {
    await deleteKv(baseUrl(ctx, flag.service, flag.port), flag.key);
  }
  return `cleared Consul KV ${flags.map((f) => f.key).join(', ')} until this run completes`;
}
