# Sourced by dispatch and health: sets node_startup to the options that start Node.js ($1) from the
# start-up snapshot a hook built for that very Node.js (src/runtime/startup-snapshot.ts says why), or to
# nothing. The snapshot is named after the binary's and its V8 library's inode, size and modification
# time, so a Node.js replaced by an upgrade is never started from another's snapshot. With NODE_OPTIONS
# set (the snapshot was built without it) Node.js starts as usual.
node_startup_options() {
  node_startup=
  [ -z "${NODE_OPTIONS:-}" ] || return 0
  node_dir=/var/lib/flannel-charm/node-startup
  [ -r "$node_dir/libraries" ] || return 0
  read -r node_libraries < "$node_dir/libraries"
  node_binary=$(command -v "$1") || return 0
  node_key=
  # One stat for all: $node_libraries unquoted, a list of paths without spaces.
  for node_id in $(stat -L -c %i-%s-%Y -- "$node_binary" $node_libraries 2>/dev/null); do
    node_key=${node_key:+${node_key}_}$node_id
  done
  [ -r "$node_dir/$node_key.blob" ] && node_startup="--snapshot-blob $node_dir/$node_key.blob"
  return 0
}
