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

/**
 * The build args that name an image a Dockerfile starts `FROM`: BASE_IMAGE (the image the service runs
 * on) and BUILD_IMAGE (a multi-stage build's toolchain stage, as the Go template's). They go through the
 * image map like any `image:`, so a service template builds on the offline set or a corporate mirror
 * too. Other args are the user's own and pass unchanged.
 */
export const IMAGE_BUILD_ARGS: readonly string[] = ['BUILD_IMAGE', 'BASE_IMAGE'];
