// What an image reference says about where it comes from, read as the Docker CLI reads it
// (distribution/reference's splitDockerDomain): the first path component is a registry only when it
// looks like a host (a dot, a port, or `localhost`); otherwise the image is on Docker Hub.

/** The registry an image is pulled from: `docker.io` for `postgres:17`, `127.0.0.1:5000` for `127.0.0.1:5000/x`. */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  if (slash === -1) return 'docker.io';
  const first = reference.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    return first === 'index.docker.io' ? 'docker.io' : first;
  }
  return 'docker.io';
}
