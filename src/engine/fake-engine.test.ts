// The fake engine holds to the same contract as the real one (test/engine-contract.docker.test.ts).
import { engineContract } from '../../test/support/engine-contract.ts';
import { FakeEngine } from './fake-engine.ts';

const IMAGE = 'mkdev-offline/python:3.13';

engineContract(
  'fake',
  async () => {
    const fake = new FakeEngine({ images: [IMAGE] });
    return {
      connection: fake,
      image: IMAGE,
      imageWithVolume: async () => {
        fake.addImage('fake/with-volume:1', { volumes: ['/data'] });
        return 'fake/with-volume:1';
      },
      anonymousVolumes: async (id) => [...(fake.containers.get(id)?.anonymousVolumes ?? [])],
      volumeExists: async (name) => fake.volumes.has(name),
      cleanup: async () => {},
    };
  },
  'fake-contract',
);
