import { describe, expect, it } from 'vitest';
import { engineTraits } from './engine-traits.ts';

describe('engineTraits', () => {
  it('tells the VM engines that answer host.docker.internal themselves from Colima and Linux', () => {
    expect(engineTraits({ OperatingSystem: 'Docker Desktop', Name: 'docker-desktop' })).toEqual({
      product: 'Docker Desktop',
      inVm: true,
      providesHostName: true,
      rootless: false,
    });
    expect(engineTraits({ OperatingSystem: 'OrbStack', Name: 'orbstack' })).toMatchObject({
      product: 'OrbStack',
      providesHostName: true,
    });
    // Colima's dockerd maps host-gateway to the Mac (--host-gateway-ip): it gets the ExtraHosts entry.
    expect(engineTraits({ OperatingSystem: 'Ubuntu 24.04.1 LTS', Name: 'colima-work' })).toEqual({
      product: 'Colima',
      inVm: true,
      providesHostName: false,
      rootless: false,
    });
    expect(
      engineTraits({
        OperatingSystem: 'Debian GNU/Linux 12 (bookworm)',
        Name: 'vm',
        ServerVersion: '20.10.24',
        SecurityOptions: ['name=seccomp,profile=default', 'name=rootless'],
      }),
    ).toEqual({
      product: 'Docker 20.10.24 on Debian GNU/Linux 12 (bookworm) (rootless)',
      inVm: false,
      providesHostName: false,
      rootless: true,
    });
  });
});
