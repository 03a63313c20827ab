import { describeLxcOverlay } from "./lxc-scenario";

// 2014 etcd charm relation data: hostname + port, plain http.
describeLxcOverlay("legacy");
