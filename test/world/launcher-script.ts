import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";

// Kept as text and written next to the world's files, so the library also works when bundled elsewhere.
const SCRIPT = String.raw`#!/bin/bash
# Boots one machine. Run as: unshare --mount --propagation private -- launch-machine.sh \
#   NAME LOWER_DIR MACHINE_DIR NETNS UUID CGROUP
# Why a script in a private mount namespace: the overlay and the tmpfs nspawn needs on /run/systemd then
# exist only for this machine and vanish with it; the host's mount table and /run are never touched.
set -euo pipefail
name=$1 lower=$2 dir=$3 netns=$4 uuid=$5 cgroup=$6

# Own cgroup per launcher, else every machine shares one "payload" cgroup.
for hierarchy in systemd unified; do
  echo $$ >"/sys/fs/cgroup/$hierarchy/$cgroup/cgroup.procs"
done

# nspawn refuses to start ("can't allow that") unless /run/systemd/nspawn is a fresh tmpfs.
mount -t tmpfs -o mode=0755 fcw-run-systemd /run/systemd
mkdir /run/systemd/nspawn
mount -t overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "fcw-$name" "$dir/root"

# network: /proc/sys/net writable inside (lxc-net writes ip_forward); unified: Docker's runc needs it.
export SYSTEMD_NSPAWN_API_VFS_WRITABLE=network SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1
exec systemd-nspawn --directory="$dir/root" --machine="$name" --uuid="$uuid" --boot \
  --register=no --keep-unit --network-namespace-path="/run/netns/$netns" \
  --capability=all --system-call-filter="add_key keyctl request_key bpf" \
  --bind=/dev/net/tun --console=passive
`;

/** Writes the launcher into `dir` and returns its path. */
export async function writeLauncher(dir: string): Promise<string> {
  const path = join(dir, "launch-machine.sh");
  await writeFile(path, SCRIPT);
  await chmod(path, 0o755);
  return path;
}
