// `mkdev up --watch`: the same start decisions and loop as `mkdev watch`, after up's own output.
import type { Engine } from '../../engine/engine.ts';
import type { ServiceSpec, Stack } from '../../stack/model.ts';
import { planStart, type StartPlan } from '../../watch/start-watch.ts';
import { watchedServices } from '../../watch/watch-session.ts';
import { watchLoop } from './run.ts';

export interface Watching {
  readonly services: readonly ServiceSpec[];
  readonly start: StartPlan;
}

export async function prepare(stack: Stack, engine: Engine, names: readonly string[]): Promise<Watching> {
  const services = watchedServices(stack, names);
  return { services, start: await planStart(engine, stack, services) };
}

export function loop(
  watching: Watching,
  options: { stack: Stack; engine: Engine; host: string; json: boolean; signal: AbortSignal },
): Promise<number> {
  return watchLoop({ ...options, ...watching });
}
