// A Stack straight from service entries in stack-file form, without the default stack, the project
// file or secrets: what unit tests on the fake engine bring up.
import type { Stack } from '../../src/stack/model.ts';
import { normalizeService } from '../../src/stack/normalize.ts';
import type { ServiceFile } from '../../src/stack/schema.ts';

export function stackOf(
  project: string,
  services: Readonly<Record<string, ServiceFile>>,
  options: { projectDir?: string } = {},
): Stack {
  const projectDir = options.projectDir ?? `/nonexistent/${project}`;
  const specs = Object.fromEntries(
    Object.entries(services).map(([name, file]) => [
      name,
      normalizeService(name, file, { project, projectDir, images: {}, source: `${name} (test)` }),
    ]),
  );
  const volumes = Object.values(specs).flatMap((s) =>
    s.volumes.filter((v) => v.kind === 'volume').map((v) => v.source),
  );
  return { project, projectDir, services: specs, volumes: [...new Set(volumes)], secrets: [] };
}
