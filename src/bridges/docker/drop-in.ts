/** systemd drop-in for docker.service that gives docker0 the lease's MTU. */
export const DOCKER_DROP_IN_PATH = "/etc/systemd/system/docker.service.d/flannel.conf";

// docker.service sets TimeoutStartSec=0 (no bound): a dockerd that never gets ready would keep its start
// job, and every hook restarting docker, waiting forever. Five minutes leaves room for a slow start.
const START_TIMEOUT_SEC = 300;

/**
 * Renders the docker drop-in. dockerd 20.10 honours `mtu` only for container interfaces: docker0 itself
 * stays at 1500 until a container attaches, so the bridge's MTU is set after every start of docker.
 */
export function renderDockerDropIn(mtu: number): string {
  return [
    "# Managed by the flannel charm: docker0 gets the flannel lease's MTU even before a container attaches.",
    "[Service]",
    `TimeoutStartSec=${START_TIMEOUT_SEC}`,
    `ExecStartPost=/usr/sbin/ip link set dev docker0 mtu ${mtu}`,
    "",
  ].join("\n");
}
