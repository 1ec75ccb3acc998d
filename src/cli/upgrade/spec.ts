import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';
import { NO_WAIT_HELP } from '../with-lock.ts';

export const spec: CommandSpec = {
  name: 'upgrade',
  summary: "move a service's Postgres data to the major its image runs (dump and restore)",
  usage: 'mkdev upgrade postgres [--service <name>] [--from <image>] [options]',
  help: `For a Postgres service whose image is now a newer major than the data in its volume (up refuses
to start it): copies the volume aside (kept, <volume>-pg<old>), dumps it with the old major's
pg_dumpall into a fresh cluster of the new major (psql), compares every database, role and table
(row count and a checksum of the rows) on both, and only then puts the new data in the volume the
stack names. The service's containers are stopped first; 'mkdev up' starts them on the new data.
Interrupted, it can be run again: it finishes what it had started or starts over, and never deletes
the old data. RabbitMQ is not upgraded by mkdev: 'mkdev up' names the path to follow.

Options:
${PROJECT_HELP}
      --service <name>  the Postgres service (default: the one with role database)
      --from <image>    the old major's image (default: the image that made the volume, else
                        postgres:<old major> through the image map)
${NO_WAIT_HELP}

Examples:
  mkdev upgrade postgres
  mkdev upgrade postgres --service orders-db --from postgres:15`,
  options: {
    ...PROJECT_OPTIONS,
    service: { type: 'string' },
    from: { type: 'string' },
    'no-wait': { type: 'boolean' },
  },
  allowPositionals: true,
};
