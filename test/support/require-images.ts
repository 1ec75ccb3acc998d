// Integration tests need the offline image set. A missing image fails the suite with the fix, rather
// than skipping it: a skipped suite would hide a broken image build.
import Docker from 'dockerode';

export async function requireImages(refs: readonly string[]): Promise<void> {
  const docker = new Docker();
  const missing: string[] = [];
  for (const ref of refs) {
    const present = await docker
      .getImage(ref)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (!present) missing.push(ref);
  }
  if (missing.length > 0) {
    throw new Error(`missing image(s) ${missing.join(', ')}: build them with 'npm run images:offline'`);
  }
}
