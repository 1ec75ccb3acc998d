// testcontainers modules for the platform's own services (upstream testcontainers-node has none for
// Kong or Consul), and the image-map lookup that lets them run on a mirror or an offline set.

export { ConsulContainer, StartedConsulContainer } from './consul-container.ts';
export { KongContainer, type KongPostgres, StartedKongContainer } from './kong-container.ts';
export { resolveImage } from './resolve-image.ts';
