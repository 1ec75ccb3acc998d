// What kind of engine answers, read from its /info: the few differences mkdev must act on.
// - Docker Desktop and OrbStack run the engine in a VM and answer host.docker.internal from their own
//   DNS, resolving to an address the VM forwards to the host's loopback (Docker Desktop's and OrbStack's
//   networking docs). A `host-gateway` entry would override their answer with whatever the VM's dockerd
//   thinks the gateway is, so their containers get none.
// - Colima runs dockerd in a VM too, and sets --host-gateway-ip to the same address its DNS gives
//   host.docker.internal (abiosoft/colima environment/container/docker/daemon.go:136,
//   environment/vm/lima/dns.go:36): `host-gateway` is right there, as on a Linux engine.
// - Everywhere else (dockerd on Linux) host.docker.internal exists only as `host-gateway`, which maps to
//   the default bridge's address on the host (moby/moby#40007: --host-gateway-ip defaults to docker0's IP).
// - Bind-mount sources are paths on the engine's side: on a VM engine only the VM can tell whether they
//   exist (/var/run/docker.sock is the VM's own socket there).
// Identified by what each reports: OperatingSystem "Docker Desktop" / "OrbStack"; Colima's VM is named
// after its profile ("colima", "colima-<profile>").
import type Docker from 'dockerode';

export interface EngineInfo {
  readonly OperatingSystem?: string;
  readonly Name?: string;
  readonly ServerVersion?: string;
  readonly SecurityOptions?: readonly string[];
}

export interface EngineTraits {
  /** For people: "Docker Desktop", "OrbStack", "Colima", or "Docker <version> on <OS>". */
  readonly product: string;
  /** The engine runs in a VM: its filesystem and network are not this machine's. */
  readonly inVm: boolean;
  /** Its containers resolve host.docker.internal without an ExtraHosts entry. */
  readonly providesHostName: boolean;
  /** Rootless Docker: `host-gateway` is an address inside rootlesskit's namespace, not the host's. */
  readonly rootless: boolean;
}

export function engineTraits(info: EngineInfo): EngineTraits {
  const os = info.OperatingSystem ?? '';
  const rootless = (info.SecurityOptions ?? []).some((o) => o.split(',').includes('name=rootless'));
  if (os === 'Docker Desktop' || os === 'OrbStack') {
    return { product: os, inVm: true, providesHostName: true, rootless };
  }
  if (/^colima(-|$)/.test(info.Name ?? '')) {
    return { product: 'Colima', inVm: true, providesHostName: false, rootless };
  }
  const product = `Docker ${info.ServerVersion ?? '?'} on ${os || 'an unknown OS'}${rootless ? ' (rootless)' : ''}`;
  return { product, inVm: false, providesHostName: false, rootless };
}

const known = new WeakMap<Docker, Promise<EngineTraits>>();

/** The engine's traits, asked once per client. */
export function traitsOf(docker: Docker): Promise<EngineTraits> {
  let traits = known.get(docker);
  if (traits === undefined) {
    traits = docker.info().then((info: EngineInfo) => engineTraits(info));
    // A failed /info is not remembered: the next caller asks again.
    traits.catch(() => known.delete(docker));
    known.set(docker, traits);
  }
  return traits;
}
