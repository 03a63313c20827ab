// The options' fixed choices, apart from the validators so that ./health can use them without ip-num.
export const CONTAINER_TYPES = ["lxc", "docker", "none"] as const;
export const BACKENDS = ["udp", "vxlan", "host-gw"] as const;

export type ContainerType = (typeof CONTAINER_TYPES)[number];
export type Backend = (typeof BACKENDS)[number];
