# Sourced by dispatch and health (POSIX sh): finds a Node.js >= 18 to run the charm's bundle.

# `node --version` exits before the JavaScript engine starts (a few ms); `node -e` would cost a whole
# Node startup, which would double the time of ./health and of every hook.
node_is_usable() {
  version=$("$1" --version 2>/dev/null) || return 1
  major=${version#v}
  major=${major%%.*}
  case $major in '' | *[!0-9]*) return 1 ;; esac
  [ "$major" -ge 18 ]
}

# Prints the path of the first usable Node.js; fails when there is none.
find_node() {
  for candidate in node nodejs /usr/bin/node /usr/local/bin/node /snap/bin/node; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if node_is_usable "$path"; then
      printf '%s\n' "$path"
      return 0
    fi
  done
  return 1
}

# Only the install hook may install packages: other hooks must stay fast and side-effect free here.
install_node() {
  status-set maintenance "installing Node.js" || true
  juju-log --log-level INFO -- "no Node.js >= 18 found; installing Debian/Ubuntu's nodejs" || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs >&2 || true
  if ! find_node >/dev/null && command -v snap >/dev/null 2>&1; then
    # Ubuntu 22.04 ships Node.js 12; the snap has a current one.
    snap install node --classic --channel=20 >&2 || true
  fi
}

NODE_REQUIRED_MESSAGE="Node.js >= 18 is required: install nodejs (Ubuntu 24.04) or 'snap install node --classic' (22.04), then run 'juju resolve' or wait for update-status"
