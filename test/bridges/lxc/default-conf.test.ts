import { describe, expect, it } from "vitest";
import { renderLxcDefaultConf } from "../../../src/bridges/lxc/default-conf";

const DEBIAN = [
  "lxc.net.0.type = veth",
  "lxc.net.0.link = lxcbr0",
  "lxc.net.0.flags = up",
  "",
  "lxc.apparmor.profile = generated",
  "lxc.apparmor.allow_nesting = 1",
  "",
].join("\n");

describe("renderLxcDefaultConf", () => {
  it("adds the MTU after the last lxc.net.0 line of Debian's file, keeping the rest", () => {
    expect(renderLxcDefaultConf(DEBIAN, 1472)).toBe(
      [
        "lxc.net.0.type = veth",
        "lxc.net.0.link = lxcbr0",
        "lxc.net.0.flags = up",
        "lxc.net.0.mtu = 1472",
        "",
        "lxc.apparmor.profile = generated",
        "lxc.apparmor.allow_nesting = 1",
        "",
      ].join("\n"),
    );
  });

  it("replaces an existing MTU line instead of adding a second one, and is stable", () => {
    const once = renderLxcDefaultConf(DEBIAN, 1472);
    expect(renderLxcDefaultConf(once, 1472)).toBe(once);
    const changed = renderLxcDefaultConf(once, 1450);
    expect(changed).toBe(once.replace("lxc.net.0.mtu = 1472", "lxc.net.0.mtu = 1450"));
  });

  it("writes Debian's network lines with the MTU when the file is absent", () => {
    expect(renderLxcDefaultConf(undefined, 1472)).toBe(
      "lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.net.0.flags = up\nlxc.net.0.mtu = 1472\n",
    );
  });

  it("appends the MTU to a file without lxc.net.0 lines", () => {
    expect(renderLxcDefaultConf("# mine\nlxc.start.auto = 1\n\n", 1472)).toBe(
      "# mine\nlxc.start.auto = 1\nlxc.net.0.mtu = 1472\n",
    );
  });
});
