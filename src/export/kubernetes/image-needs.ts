// What official images need in a pod that Docker's named volumes gave them for free. A claim is a
// fresh filesystem: it may hold lost+found, and it belongs to root.
//   postgres         initdb refuses a data directory that is not empty: PGDATA goes one level below
//                    the mount (as the postgres image's documentation advises for mount points).
//   prom/prometheus  runs as nobody (65534; its Dockerfile's USER) and cannot write a root-owned claim:
//                    the pod's fsGroup makes the claim writable by that group.
import type { ServiceSpec } from '../../stack/model.ts';

export interface ImageNeeds {
  readonly service: ServiceSpec;
  readonly fsGroup?: number;
  readonly note?: string;
}

const image = (s: ServiceSpec, name: string) => new RegExp(`(^|/)${name}(:|@|$)`).test(s.requestedImage);

export function imageNeeds(s: ServiceSpec): ImageNeeds {
  const data = s.volumes.find((v) => v.kind === 'volume' && v.target === '/var/lib/postgresql/data');
  if (image(s, 'postgres') && data && s.env.PGDATA === undefined) {
    return {
      service: { ...s, env: { ...s.env, PGDATA: `${data.target}/pgdata` } },
      note: `${s.name}: PGDATA is ${data.target}/pgdata, below the claim's mount point (a fresh volume may hold lost+found, which initdb refuses)`,
    };
  }
  if (image(s, 'prom/prometheus') && s.volumes.some((v) => v.kind === 'volume') && s.user === undefined) {
    return {
      service: s,
      fsGroup: 65534,
      note: `${s.name}: its pod has fsGroup 65534, so Prometheus (user nobody) can write its claim`,
    };
  }
  return { service: s };
}
