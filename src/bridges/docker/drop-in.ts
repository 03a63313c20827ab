/** systemd drop-in for docker.service that gives docker0 the lease's MTU. */
export const DOCKER_DROP_IN_PATH = "/etc/systemd/system/docker.service.d/flannel.conf";

/**
 * Renders the docker drop-in. dockerd 20.10 honours `mtu` only for container interfaces: docker0 itself
 * stays at 1500 until a container attaches, so the bridge's MTU is set after every start of docker.
 */
export function renderDockerDropIn(mtu: number): string {
  return [
    "# Managed by the flannel charm: docker0 gets the flannel lease's MTU even before a container attaches.",
    "[Service]",
    `ExecStartPost=/usr/sbin/ip link set dev docker0 mtu ${mtu}`,
    "",
  ].join("\n");
}
