import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';
import { NO_WAIT_HELP } from '../with-lock.ts';

// Here --images removes the built images (a flag); down pulls nothing, so it takes no image map.
const PROJECT_HELP_WITHOUT_IMAGE_MAP = PROJECT_HELP.split('\n')
  .filter((line) => !line.includes('--images'))
  .join('\n');

export const spec: CommandSpec = {
  name: 'down',
  summary: "stop and remove the project's containers and network (and volumes with --volumes)",
  usage: 'mkdev down [--volumes] [--images] [--timeout <s>]',
  help: `Removes only resources labelled as this project's. Data volumes are kept unless --volumes is given.
Containers are stopped before they are removed, dependents first (services before Kong, Kong before
Postgres and Consul), so services deregister from Consul and databases shut down cleanly.

Options:
${PROJECT_HELP_WITHOUT_IMAGE_MAP}
  -v, --volumes         also remove the project's volumes (its data)
      --images          also remove the images mkdev built for the project's services, with their
                        build tags (<image>-stage<n>, <image>-failed), not pulled ones
  -t, --timeout <s>     seconds a container gets to stop before it is killed (default 10; 0 kills at once)
${NO_WAIT_HELP}`,
  options: {
    ...PROJECT_OPTIONS,
    volumes: { type: 'boolean', short: 'v' },
    images: { type: 'boolean' },
    timeout: { type: 'string', short: 't' },
    'no-wait': { type: 'boolean' },
  },
  allowPositionals: false,
};
