// Exit 0 when the engine can reach an image registry (it can resolve a manifest), 1 when not, in <= 6 s.
// It asks for postgres:17, an image every default stack pulls, rather than hello-world: a registry
// mirror that serves only the images mkdev needs (the fresh-machine check's) answers for it too.
import Docker from 'dockerode';

const docker = new Docker();
const deadline = new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 6000));
try {
  await Promise.race([docker.getImage('postgres:17').distribution(), deadline]);
  process.exit(0);
} catch {
  process.exit(1);
}
