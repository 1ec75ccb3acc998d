// A testcontainers module for Consul (upstream testcontainers-node has none): a dev-mode agent by
// default, ready once it has elected a leader, with KV seeding and helpers.
import Consul from 'consul';
import { AbstractStartedContainer, GenericContainer, Wait } from 'testcontainers';
import { ensureTestcontainersEngine } from '../testcontainers-engine.ts';
import { httpUrl } from './http-url.ts';
import { ownerLabels } from './owner-label.ts';
import { startRetryingPortClash } from './port-clash.ts';

const HTTP_PORT = 8500;
const DNS_PORT = 8600;

/** True once /v1/status/leader names a leader: it answers `""` (still 200) until the election. */
export function hasLeader(body: string): boolean {
  try {
    const leader: unknown = JSON.parse(body);
    return typeof leader === 'string' && leader !== '';
  } catch {
    return false;
  }
}

export class ConsulContainer extends GenericContainer {
  private createdId: string | undefined;
  private readonly keyValues = new Map<string, string>();

  constructor(image = 'hashicorp/consul:1.20') {
    super(image);
    this.withExposedPorts(HTTP_PORT, `${DNS_PORT}/udp`)
      // The image's own default command, spelled out so withServerMode() can swap it.
      .withCommand(['agent', '-dev', '-client', '0.0.0.0'])
      // An open HTTP port is not enough: KV and catalog calls answer 500 "No cluster leader" until
      // the agent has elected itself.
      .withWaitStrategy(
        Wait.forHttp('/v1/status/leader', HTTP_PORT, { abortOnContainerExit: true })
          .forStatusCode(200)
          .forResponsePredicate(hasLeader),
      )
      .withStartupTimeout(60_000)
      .withLabels(ownerLabels());
  }

  /** Seeds a key; written through the HTTP API once the agent has a leader (before start() resolves). */
  withKeyValue(key: string, value: string): this {
    this.keyValues.set(key, value);
    return this;
  }

  /**
   * A single server that elects itself, instead of dev mode. Unlike dev mode it keeps KV and
   * registrations in its data dir (/consul/data, a volume), so they survive a container restart.
   */
  withServerMode(): this {
    return this.withCommand(['agent', '-server', '-bootstrap-expect=1', '-ui', '-client', '0.0.0.0']);
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    this.createdId = containerId;
  }

  override async start(): Promise<StartedConsulContainer> {
    await ensureTestcontainersEngine();
    const started = new StartedConsulContainer(
      await startRetryingPortClash(
        () => super.start(),
        () => this.createdId,
      ),
    );
    try {
      for (const [key, value] of this.keyValues) await started.putKv(key, value);
    } catch (error) {
      // A half-seeded Consul would make the caller's tests fail in confusing ways; do not leak it.
      await started.stop().catch(() => {});
      throw error;
    }
    return started;
  }
}

export class StartedConsulContainer extends AbstractStartedContainer {
  /** http://<host>:<port> of the HTTP API on the engine host. */
  getHttpUrl(): string {
    return httpUrl(this.getHost(), this.getMappedPort(HTTP_PORT));
  }

  /** The host port that carries Consul's DNS interface (UDP). */
  getDnsPort(): number {
    return this.getMappedPort(DNS_PORT, 'udp');
  }

  /** A key's value; undefined when the key does not exist, '' when it exists without a value. */
  async getKv(key: string): Promise<string | undefined> {
    const entry = await this.client().kv.get(key);
    if (entry === null || entry === undefined) return undefined;
    return entry.Value ?? '';
  }

  async putKv(key: string, value: string): Promise<void> {
    if ((await this.client().kv.set(key, value)) !== true) throw new Error(`Consul refused to set ${key}`);
  }

  private client(): Consul {
    return new Consul({ host: this.getHost(), port: this.getMappedPort(HTTP_PORT) });
  }
}
