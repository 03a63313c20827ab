import { describe, expect, it } from "vitest";
import { parseProcRoutes, readRoutes } from "../../src/machine/routes";

// /proc/net/route as Linux prints it on a udp-backend machine with lxcbr0 (little-endian hex fields).
const PROC_ROUTE = [
  "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
  "eth0\t00000000\t016433C6\t0003\t0\t0\t0\t00000000\t0\t0\t0",
  "flannel0\t00000A0A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
  "lxcbr0\t00100A0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
  "",
].join("\n");

describe("parseProcRoutes", () => {
  it("reads destination, prefix length, device and gateway", () => {
    expect(parseProcRoutes(PROC_ROUTE)).toEqual([
      { destination: "0.0.0.0/0", device: "eth0", gateway: "198.51.100.1" },
      { destination: "10.10.0.0/16", device: "flannel0", gateway: "0.0.0.0" },
      { destination: "10.10.16.0/24", device: "lxcbr0", gateway: "0.0.0.0" },
    ]);
  });

  it("reads nothing from an empty or foreign file", () => {
    expect(parseProcRoutes("")).toEqual([]);
    expect(parseProcRoutes("Iface\tDestination\n")).toEqual([]);
  });
});

describe("readRoutes with the kernel's own file", () => {
  it("parses this namespace's table, and returns nothing for a file that is not there", async () => {
    const routes = await readRoutes();
    expect(routes.every((route) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(route.destination))).toBe(true);
    expect(await readRoutes("/nonexistent/route")).toEqual([]);
  });
});
