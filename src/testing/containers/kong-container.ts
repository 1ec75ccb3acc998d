// A testcontainers module for Kong Gateway in database mode (upstream testcontainers-node has none).
// Kong needs its schema before it can start, so the container bootstraps it first: one container,
// no separate migrations step for the caller to sequence.
import { AbstractStartedContainer, GenericContainer, Wait } from 'testcontainers';
import { UserError } from '../../errors.ts';
import { ensureTestcontainersEngine } from '../testcontainers-engine.ts';
import { checkDnsResolver } from './dns-resolver.ts';
import { httpUrl } from './http-url.ts';
import { ownerLabels } from './owner-label.ts';
import { startRetryingPortClash } from './port-clash.ts';

const PROXY_PORT = 8000;
const ADMIN_PORT = 8001;
const STATUS_PORT = 8100;

/** Where Kong's Postgres is, as seen from the Kong container (typically a network alias). */
export interface KongPostgres {
  readonly host: string;
  /** Default 5432. */
  readonly port?: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export class KongContainer extends GenericContainer {
  private createdId: string | undefined;
  private postgres: KongPostgres | undefined;

  constructor(image = 'kong:3.9') {
    super(image);
    this.withExposedPorts(PROXY_PORT, ADMIN_PORT, STATUS_PORT)
      .withEnvironment({
        // Kong's defaults bind the Admin API and status listener to 127.0.0.1 inside the container,
        // which no published port can reach.
        KONG_PROXY_LISTEN: `0.0.0.0:${PROXY_PORT}`,
        KONG_ADMIN_LISTEN: `0.0.0.0:${ADMIN_PORT}`,
        KONG_STATUS_LISTEN: `0.0.0.0:${STATUS_PORT}`,
      })
      // `kong start` on an empty database fails, and bootstrap is a no-op on a bootstrapped one, so
      // it always runs first. `&&` needs a shell (the image has bash); exec hands the process over to
      // the image's entrypoint, so Kong, not bash, receives the stop signal.
      .withCommand([
        'bash',
        '-c',
        'kong migrations bootstrap && exec /docker-entrypoint.sh kong docker-start',
      ])
      // /status/ready is Kong's real readiness (routes loaded, database reachable); the image's
      // health check (`kong health`) only says that nginx runs. A failed bootstrap exits the
      // container, which ends the wait at once with its logs instead of at the timeout.
      .withWaitStrategy(
        Wait.forHttp('/status/ready', STATUS_PORT, { abortOnContainerExit: true }).forStatusCode(200),
      )
      .withStartupTimeout(120_000)
      .withLabels(ownerLabels());
  }

  /** The database Kong uses (required: this module runs Kong in database mode). */
  withPostgres(postgres: KongPostgres): this {
    this.postgres = postgres;
    return this.withEnvironment({
      KONG_DATABASE: 'postgres',
      KONG_PG_HOST: postgres.host,
      KONG_PG_PORT: String(postgres.port ?? 5432),
      KONG_PG_USER: postgres.user,
      KONG_PG_PASSWORD: postgres.password,
      KONG_PG_DATABASE: postgres.database,
    });
  }

  /**
   * The DNS server(s) Kong resolves upstream hosts with, e.g. Consul's `<ip>:8600` so that
   * `orders.service.consul` works. IP addresses only (Kong refuses names): this throws otherwise.
   * Every name Kong resolves then goes there, the Postgres host too: give Consul a recursor for
   * Docker's DNS (127.0.0.11) or give withPostgres() an IP.
   */
  withDnsResolver(resolver: string): this {
    return this.withEnvironment({ KONG_DNS_RESOLVER: checkDnsResolver(resolver) });
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    this.createdId = containerId;
  }

  override async start(): Promise<StartedKongContainer> {
    await ensureTestcontainersEngine();
    if (!this.postgres) {
      throw new UserError(
        'KongContainer needs a database: call withPostgres({ host, user, password, database })',
        {
          hint: 'run a Postgres container on the same Network and pass its network alias as host',
        },
      );
    }
    return new StartedKongContainer(
      await startRetryingPortClash(
        () => super.start(),
        () => this.createdId,
      ),
    );
  }
}

export class StartedKongContainer extends AbstractStartedContainer {
  /** The Admin API: http://<host>:<port>. */
  getAdminUrl(): string {
    return httpUrl(this.getHost(), this.getMappedPort(ADMIN_PORT));
  }

  /** The proxy (HTTP) listener, where routes are served. */
  getProxyUrl(): string {
    return httpUrl(this.getHost(), this.getMappedPort(PROXY_PORT));
  }

  /** The status listener: /status, /status/ready, and /metrics with the prometheus plugin. */
  getStatusUrl(): string {
    return httpUrl(this.getHost(), this.getMappedPort(STATUS_PORT));
  }
}
