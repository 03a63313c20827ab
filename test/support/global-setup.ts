import { execa } from "execa";

/** Builds and packs the charm once per run, so every test sees the bundles of the current source. */
export default async function setup() {
  await execa("npm", ["run", "--silent", "pack"], { stdio: "inherit" });
}
