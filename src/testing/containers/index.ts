// testcontainers modules for the platform's own services (upstream testcontainers-node has no Kong
// or Consul module), and the image-map lookup that lets them run on a mirror or an offline set.

export { ConsulContainer, StartedConsulContainer } from './consul-container.ts';
export { resolveImage } from './resolve-image.ts';
