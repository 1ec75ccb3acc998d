// Where the project's containers reach a process on the developer's machine, and where that process
// must listen for it. The name is host.docker.internal on every engine (engine-traits.ts); its address
// is asked where it matters, inside the project network, from a running container of the project:
// - on a Linux engine it is the host-gateway entry, the default bridge's (docker0's) address, which is
//   an address of this machine: the process listens there (not on every interface);
// - on Docker Desktop, OrbStack and Colima it is an address of their VM that forwards to this machine's
//   loopback: the process listens on 127.0.0.1.
// Not the project network's gateway: on a VM engine that is the VM, not this machine.
import { createServer } from 'node:net';
import type Docker from 'dockerode';
import { UserError } from '../errors.ts';
import { execIn } from './container-ops.ts';
import { LABEL } from './labels.ts';

export const HOST_NAME = 'host.docker.internal';

export interface HostAddress {
  /** What host.docker.internal resolves to inside the project network: what Consul hands Kong. */
  readonly inNetwork: string;
  /** Where the process on this machine listens so that the address above reaches it. */
  readonly bind: string;
}

/** The first IPv4 address of `getent ahostsv4` output. */
export function firstIpv4(getentOutput: string): string | undefined {
  return /^(\d{1,3}(?:\.\d{1,3}){3})\s/m.exec(getentOutput)?.[1];
}

/** Where to listen for `inNetwork`: itself when it is this machine's own address, else loopback. */
export function bindAddressFor(inNetwork: string, isOwn: boolean): string {
  return isOwn ? inNetwork : '127.0.0.1';
}

/**
 * Whether this machine can listen on the address: whether it is one of its own. Asked by listening,
 * not read from os.networkInterfaces(), which leaves out an interface without carrier (libuv keeps only
 * interfaces UP and RUNNING): docker0 has none while no container sits on the default bridge, which is
 * the usual case with mkdev (its containers are on the project network).
 */
export function canListenOn(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, address, () => server.close(() => resolve(true)));
  });
}

/**
 * Resolves host.docker.internal in the project's running containers, `first` service's first (the
 * service a host process stands in for), until one answers; fails naming what each said.
 */
export async function hostAddress(
  docker: Docker,
  project: string,
  first?: string,
  isOwn: (address: string) => Promise<boolean> = canListenOn,
): Promise<HostAddress> {
  const running = await docker.listContainers({ filters: { label: [`${LABEL.project}=${project}`] } });
  const ordered = [
    ...running.filter((c) => c.Labels[LABEL.service] === first),
    ...running.filter((c) => c.Labels[LABEL.service] !== first),
  ];
  const answers: string[] = [];
  for (const c of ordered) {
    const name = c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12);
    try {
      const { exitCode, output } = await execIn(docker.getContainer(c.Id), ['getent', 'ahostsv4', HOST_NAME]);
      const address = exitCode === 0 ? firstIpv4(output) : undefined;
      if (address !== undefined)
        return { inNetwork: address, bind: bindAddressFor(address, await isOwn(address)) };
      answers.push(
        `${name}: getent exited ${exitCode}${output.trim() ? ` (${output.trim().split('\n')[0]})` : ''}`,
      );
    } catch (error) {
      answers.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new UserError(
    `cannot tell where the project's containers reach this machine: ${HOST_NAME} did not resolve`,
    {
      details:
        answers.length > 0 ? answers.map((a) => `  - ${a}`).join('\n') : '  (no running container to ask)',
      hint: `containers made by an older mkdev may lack the ${HOST_NAME} entry: recreate them (mkdev down, then mkdev up)`,
    },
  );
}
