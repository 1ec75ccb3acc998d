// Every resource mkdev creates carries these labels: they are how mkdev finds, plans over and removes
// what belongs to a project, and never touches anything else.

export const LABEL = {
  project: 'dev.mkdev.project',
  service: 'dev.mkdev.service',
  replica: 'dev.mkdev.replica',
  configHash: 'dev.mkdev.config-hash',
  version: 'dev.mkdev.version',
  oneShot: 'dev.mkdev.one-shot',
  /** Who started the stack (pid@host:start-time); lets later runs reap stacks whose owner died. */
  owner: 'dev.mkdev.owner',
  /** The services this one waits for (comma-separated, see stack/graph.ts): `down` stops dependents first. */
  dependsOn: 'dev.mkdev.depends-on',
  /** On an image mkdev built: the hash of what it was built from (see engine/observe.ts). */
  buildHash: 'dev.mkdev.build-hash',
  /** Port on which the registrator should register this container in Consul. */
  registerPort: 'dev.mkdev.register-port',
  /** On a volume: the image of the service it was created for (labels are fixed at creation). */
  image: 'dev.mkdev.image',
  /** On a data volume: the product (postgres, rabbitmq) and its version when it was created. */
  dataProduct: 'dev.mkdev.data-product',
  dataVersion: 'dev.mkdev.data-version',
  /** On the volumes `mkdev upgrade` makes: the volume upgraded, and which side this one is (old, new). */
  upgradeOf: 'dev.mkdev.upgrade-of',
  upgradeRole: 'dev.mkdev.upgrade-role',
} as const;

export function projectFilter(project: string): { label: string[] } {
  return { label: [`${LABEL.project}=${project}`] };
}
