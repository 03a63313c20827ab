import { describeLxcOverlay } from "./lxc-scenario";

// Modern etcd charm relation data: connection_string + client certificates, etcd serving TLS only.
describeLxcOverlay("modern-tls");
