// One throwaway stack for the integration run: this service and everything it depends on (Kong,
// Consul, RabbitMQ, ...), from the project's mkdev.yaml, on free ports; removed afterwards. Needs mkdev
// installed in the project (`npm install --save-dev mkdev` at the project root) and a Docker engine.
import { fileURLToPath } from 'node:url';
import { mkdevGlobalSetup } from 'mkdev/testing/vitest';

export default mkdevGlobalSetup({
  cwd: fileURLToPath(new URL('../../../..', import.meta.url)),
  services: ['__SERVICE_NAME__'],
});
