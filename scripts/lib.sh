# Shared helpers for the scripts in this folder. Source it; do not run it.

# Runs apt-get install for the packages that are missing (root on the project's machines).
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ ! -f /tmp/.yunhuni-apt-updated ]; then
    $sudo apt-get update -qq >/dev/null && touch /tmp/.yunhuni-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

need_rust() {
  command -v cargo >/dev/null || { echo "cargo is required (install Rust from rustup)" >&2; return 1; }
}

# redis-server from Debian's package, for the webhook tests and the webhook load run (each
# starts its own server and stops it).
need_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
  command -v redis-server >/dev/null || { echo "redis-server could not be installed" >&2; return 1; }
}
