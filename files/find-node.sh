# Sourced by dispatch and health (POSIX sh): finds a Node.js >= 18 to run the charm's bundle.

# Where the `node` resource (the official linux-x64 tarball) is unpacked.
NODE_RESOURCE_DIR=/opt/flannel-charm/node
NODE_ATTACH_HINT="juju attach-resource flannel node=./node-v20.x-linux-x64.tar.xz"


# `node --version` exits before the JavaScript engine starts (a few ms); `node -e` would cost a whole
# Node startup, which would double the time of ./health and of every hook.
node_is_usable() {
  version=$("$1" --version 2>/dev/null) || return 1
  major=${version#v}
  major=${major%%.*}
  case $major in '' | *[!0-9]*) return 1 ;; esac
  [ "$major" -ge 18 ]
}

# Prints the path of the first usable Node.js; fails when there is none. The resource's copy comes last:
# it is only meant for machines without a usable one of their own.
find_node() {
  for candidate in node nodejs /usr/bin/node /usr/local/bin/node /snap/bin/node "$NODE_RESOURCE_DIR/bin/node"; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if node_is_usable "$path"; then
      printf '%s\n' "$path"
      return 0
    fi
  done
  return 1
}

# Unpacks the `node` resource when one is attached. Any hook may do this: attaching it fires upgrade-charm.
# Sets NODE_RESOURCE_PROBLEM when a resource is attached but holds no usable Node.js.
install_node_resource() {
  resource=$(resource-get node 2>/dev/null) || return 1
  [ -f "$resource" ] && [ -s "$resource" ] || return 1
  status-set maintenance "installing Node.js from the node resource" || true
  mkdir -p "${NODE_RESOURCE_DIR%/*}"
  staging=$(mktemp -d "$NODE_RESOURCE_DIR.new.XXXXXX") || return 1
  # The official tarball (.tar.xz or .tar.gz) holds node-vX-linux-x64/bin/node; a bare binary also works.
  if tar -xf "$resource" -C "$staging" 2>/dev/null; then
    binary=$(find "$staging" -maxdepth 3 -path '*/bin/node' -type f | head -n 1)
  else
    mkdir -p "$staging/bin" && cp "$resource" "$staging/bin/node" && chmod 0755 "$staging/bin/node"
    binary="$staging/bin/node"
  fi
  if [ -z "$binary" ] || ! node_is_usable "$binary"; then
    rm -rf "$staging"
    NODE_RESOURCE_PROBLEM="the node resource is not a Node.js >= 18 for linux-x64"
    juju-log --log-level ERROR -- "$NODE_RESOURCE_PROBLEM" || true
    return 1
  fi
  rm -rf "$NODE_RESOURCE_DIR.old"
  [ ! -d "$NODE_RESOURCE_DIR" ] || mv "$NODE_RESOURCE_DIR" "$NODE_RESOURCE_DIR.old"
  mv "$(dirname "$(dirname "$binary")")" "$NODE_RESOURCE_DIR"
  rm -rf "$staging" "$NODE_RESOURCE_DIR.old"
  juju-log --log-level INFO -- "installed Node.js $("$NODE_RESOURCE_DIR/bin/node" --version) from the node resource" || true
}

# Only the install hook may install packages: other hooks must stay fast and side-effect free here.
install_node() {
  status-set maintenance "installing Node.js" || true
  juju-log --log-level INFO -- "no Node.js >= 18 found; installing Debian/Ubuntu's nodejs" || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs >&2 || true
  if ! find_node >/dev/null && command -v snap >/dev/null 2>&1; then
    # Ubuntu 20.04 and 22.04 ship Node.js 10 and 12; the snap has a current one.
    snap install node --classic --channel=20 >&2 || true
  fi
}

NODE_REQUIRED_MESSAGE="Node.js >= 18 is required: attach the official linux-x64 tarball with '$NODE_ATTACH_HINT' (or install nodejs on 24.04, 'snap install node --classic' on 20.04/22.04)"
