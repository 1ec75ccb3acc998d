import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'pull',
  summary: "pull the stack's images ahead of 'up', with progress",
  usage: 'mkdev pull [services...] [options]',
  help: `Pulls every image the stack (or the services named) pulls rather than builds: the services'
images, and the images built services start FROM (their BUILD_IMAGE/BASE_IMAGE args), all at once, as
'docker compose pull' does. An image already here is asked for again, so a moving tag gets its newest
image. Creates no container. Afterwards 'mkdev up --pull never' needs no registry.

Options:
${PROJECT_HELP}
      --json            NDJSON events on stdout (pull events carry image, layers and bytes), then a summary

Examples:
  mkdev pull
  mkdev pull kong postgres
  mkdev pull --images images/offline-image-map.yaml`,
  options: {
    ...PROJECT_OPTIONS,
    json: { type: 'boolean' },
  },
  allowPositionals: true,
};
