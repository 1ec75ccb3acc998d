// The project network's gateway: the host's own address on that bridge. A process on the host that
// listens there is reachable from every container of the project (Kong, Consul's checks).
import type Docker from 'dockerode';
import { networkName } from './names.ts';

export async function networkGateway(docker: Docker, project: string): Promise<string> {
  const info = (await docker.getNetwork(networkName(project)).inspect()) as {
    IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] };
  };
  const gateway = info.IPAM?.Config?.find((c) => c.Gateway && !c.Gateway.includes(':'))?.Gateway;
  if (gateway === undefined) {
    throw new Error(`the network ${networkName(project)} has no IPv4 gateway in its IPAM configuration`);
  }
  return gateway.replace(/\/\d+$/, '');
}
