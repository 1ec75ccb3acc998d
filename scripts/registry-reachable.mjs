// Exit 0 when the engine can reach an image registry (it can resolve a manifest), 1 when not, in <= 6 s.
import Docker from 'dockerode';

const docker = new Docker();
const deadline = new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 6000));
try {
  await Promise.race([docker.getImage('hello-world:latest').distribution(), deadline]);
  process.exit(0);
} catch {
  process.exit(1);
}
