// The options' fixed choices, apart from the validators so that ./health can use them without ip-num.
export const CONTAINER_TYPES = ["lxc", "docker", "none"] as const;
export const BACKENDS = ["udp", "vxlan", "host-gw"] as const;

export type ContainerType = (typeof CONTAINER_TYPES)[number];
export type Backend = (typeof BACKENDS)[number];

/** The backend a recorded name stands for; udp, flannel's default, for anything unknown. */
export function asBackend(name: string | undefined): Backend {
  return BACKENDS.find((backend) => backend === name) ?? "udp";
}
