import { describe, expect, it } from "vitest";
import { healthVerdict, summarize } from "./metrics";

describe("the campaign's metrics line", () => {
  it("summarizes a textfile, figures it lacks shown as -", () => {
    const text = [
      'flannel_ready{unit="flannel/1",reason="flanneld-inactive"} 0',
      'flannel_flanneld_up{unit="flannel/1"} 0',
      'flannel_flanneld_restarts_total{unit="flannel/1"} 3',
      'flannel_etcd_up{unit="flannel/1"} 1',
      'flannel_peers{unit="flannel/1"} 2',
      'flannel_peer_reachable{unit="flannel/1",peer="flannel/0",peer_subnet="10.10.16.0/24"} 0',
      'flannel_peer_reachable{unit="flannel/1",peer="flannel/2",peer_subnet="10.10.17.0/24"} 1',
      "",
    ].join("\n");
    expect(summarize("flannel/1", text)).toBe(
      "flannel/1 ready=0 reason=flanneld-inactive flanneld_up=0 restarts=3 etcd_up=1 lease_present=- peers=2 unreachable=[flannel/0]",
    );
  });

  it("puts ./health's verdict as the metrics line does", () => {
    expect(healthVerdict("ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472\n")).toBe(
      "ready=1 reason=none",
    );
    expect(healthVerdict("not-ready subnet:10.10.16.1/24 mtu:1472 reason:forward-dropped")).toBe(
      "ready=0 reason=forward-dropped",
    );
    expect(healthVerdict("not-ready reason:blocked")).toBe("ready=0 reason=blocked");
  });
});
