// The default stack plus 1, 10 and 30 extra services sharing one small image (the offline Python
// image, a tiny HTTP server that exits on SIGTERM, a TCP readiness probe), so that what grows with
// the count is mkdev's own work per service, not builds. At each size: up from nothing, a no-op up,
// status, down, and mkdev's peak RSS during up.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { mustSucceed } from './process.ts';
import { extraContainersAlone } from './scale-alone.ts';
import { lastJson, type ScenarioContext } from './scenario-context.ts';

/**
 * A tiny HTTP server that exits on SIGTERM: as PID 1, `python3 -m http.server` ignores SIGTERM and
 * would make every `down` wait out the 10 s grace period, measuring the image, not mkdev.
 */
export const SERVER =
  "import signal, sys, http.server as h; signal.signal(signal.SIGTERM, lambda *_: sys.exit(0)); h.HTTPServer(('', 8080), h.SimpleHTTPRequestHandler).serve_forever()";

export const SCALE_SIZES = [1, 10, 30] as const;

export function extraServicesYaml(count: number): string {
  const lines = ['services:'];
  for (let i = 1; i <= count; i++) {
    lines.push(
      `  extra-${i}:`,
      '    image: python:3.13-slim-trixie',
      `    command: [python3, -c, ${JSON.stringify(SERVER)}]`,
      "    ports: ['8080']",
      '    ready: { tcp: { port: 8080 } }',
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function scaleScenario(
  ctx: ScenarioContext,
  rep: number,
  alone: { docker: Docker; images: string },
  sizes: readonly number[] = SCALE_SIZES,
) {
  for (const size of sizes) {
    const project = `bs-${ctx.runId}-${rep}-${size}`;
    const cwd = mkdtempSync(join(tmpdir(), `${project}-`));
    writeFileSync(join(cwd, 'mkdev.yaml'), extraServicesYaml(size));
    try {
      const up = mustSucceed(`up (${size})`, await ctx.mkdev(['up', '--json', '-p', project], cwd, true));
      ctx.add(`scale ${size}: up from nothing`, up.ms);
      if (up.peakRss !== undefined) ctx.add(`rss scale ${size}: up`, up.peakRss);
      const noop = mustSucceed(`no-op up (${size})`, await ctx.mkdev(['up', '--json', '-p', project], cwd));
      if (lastJson(noop.stdout).changed !== false)
        throw new Error(`the no-op up (${size}) changed something`);
      ctx.add(`scale ${size}: no-op up`, noop.ms);
      for (let i = 0; i < 3; i++) {
        ctx.add(
          `scale ${size}: status`,
          mustSucceed('status', await ctx.mkdev(['status', '-p', project], cwd)).ms,
        );
      }
      const down = mustSucceed(`down (${size})`, await ctx.mkdev(['down', '-p', project], cwd));
      ctx.add(`scale ${size}: down`, down.ms);
      const reference = await extraContainersAlone(alone.docker, `${project}-alone`, cwd, alone.images);
      ctx.add(`scale ${size}: the extra containers alone (create, start, ready)`, reference);
      ctx.log(
        `rep ${rep}, ${size} extra: up ${(up.ms / 1000).toFixed(1)} s, no-op ${(noop.ms / 1000).toFixed(2)} s, down ${(down.ms / 1000).toFixed(1)} s, RSS ${((up.peakRss ?? 0) / 2 ** 20).toFixed(0)} MiB`,
      );
    } finally {
      await ctx.mkdev(['down', '--volumes', '-t', '0', '-p', project], cwd);
      rmSync(cwd, { recursive: true, force: true });
    }
  }
}
