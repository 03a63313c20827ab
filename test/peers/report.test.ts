import { describe, expect, it } from "vitest";
import { summarizeApplication } from "../../src/peers/app-status";
import { parsePeerReport, renderPeerReport } from "../../src/peers/report";

const READY = "ready lxcbr:10.10.16.1 subnet:10.10.16.1/24 mtu:1472";

describe("the peer report", () => {
  it("renders every field, unknown ones empty so that relation-set deletes them", () => {
    expect(renderPeerReport({ subnet: "10.10.16.1/24", publicIp: "198.51.100.11", health: READY })).toEqual({
      subnet: "10.10.16.1/24",
      "public-ip": "198.51.100.11",
      backend: "",
      "flanneld-version": "",
      health: READY,
      "overlay-address": "",
      "upgrade-wanted": "",
      "flanneld-stamp": "",
      "client-cert-wanted": "",
      "client-cert": "",
    });
  });

  it("parses what it rendered and ignores keys it does not know", () => {
    const report = { subnet: "10.10.16.1/24", backend: "udp", overlayAddress: "10.10.16.1" };
    expect(parsePeerReport({ ...renderPeerReport(report), "egress-subnets": "x/32" })).toEqual(report);
  });
});

describe("the application status", () => {
  const unit = (name: string, health?: string) => ({ unit: name, report: health ? { health } : {} });

  it("counts every unit on the network when all are ready", () => {
    const units = [unit("flannel/0", READY), unit("flannel/2", READY), unit("flannel/1", READY)];
    expect(summarizeApplication(units, "10.10.0.0/16", "udp")).toEqual({
      state: "active",
      message: "3/3 units on 10.10.0.0/16 (udp)",
    });
  });

  it("names each unit that is not ready with its health line, in unit order", () => {
    const units = [
      unit("flannel/10"),
      unit("flannel/0", READY),
      unit("flannel/2", "not-ready reason:flanneld-inactive"),
    ];
    expect(summarizeApplication(units, "10.10.0.0/16", "udp")).toEqual({
      state: "waiting",
      message: "1/3 units ready; flannel/2: not-ready reason:flanneld-inactive; flannel/10: no report yet",
    });
  });

  it("is blocked when a unit is blocked", () => {
    const units = [unit("flannel/0", READY), unit("flannel/1", "not-ready reason:blocked")];
    expect(summarizeApplication(units, "10.10.0.0/16", "udp").state).toBe("blocked");
  });
});
