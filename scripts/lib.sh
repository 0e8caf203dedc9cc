# Shared helpers for the scripts in this folder. Source it; do not run it.

# Runs apt-get install for the packages that are missing (root on the project's machines).
# A fresh machine may still be updating its package lists or holding dpkg's lock at boot, and a
# mirror may fail a download now and then: apt waits up to 5 minutes for the lock, and a failed
# attempt refreshes the lists and tries again, three attempts in all. The last failure's own
# words go to stderr.
apt_install() {
  local missing=() pkg attempt log
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  local lock=(-o DPkg::Lock::Timeout=300)
  log=$(mktemp)
  for attempt in 1 2 3; do
    if [ "$attempt" -gt 1 ] || [ ! -f /tmp/.yunhuni-apt-updated ]; then
      $sudo apt-get "${lock[@]}" update -qq >"$log" 2>&1 && touch /tmp/.yunhuni-apt-updated
    fi
    if DEBIAN_FRONTEND=noninteractive $sudo apt-get "${lock[@]}" install -y -qq --no-install-recommends \
      "${missing[@]}" >"$log" 2>&1; then
      rm -f "$log"
      return 0
    fi
    [ "$attempt" -lt 3 ] && sleep $((attempt * 10))
  done
  echo "apt-get install ${missing[*]} failed three times; the last attempt said:" >&2
  tail -15 "$log" >&2
  rm -f "$log"
  return 1
}

need_rust() {
  command -v cargo >/dev/null || { echo "cargo is required (install Rust from rustup)" >&2; return 1; }
}

# Debian's redis-server (and redis-cli), for the webhook dedup tests and benchmarks.
need_redis() {
  command -v redis-server >/dev/null || apt_install redis-server
}

# Starts a throwaway redis-server on a free loopback port, without persistence, in the
# background; sets REDIS_PID, REDIS_PORT and REDIS_URL (redis://127.0.0.1:PORT/). Stop it with
# stop_redis (from the caller's EXIT trap). Returns non-zero when it cannot start.
start_redis() {
  need_redis || return 1
  local attempt dir
  for attempt in 1 2 3 4 5; do
    REDIS_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    dir=$(mktemp -d)
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" \
      >"$dir/redis.log" 2>&1 &
    REDIS_PID=$!
    REDIS_DIR=$dir
    for _ in $(seq 1 100); do
      kill -0 "$REDIS_PID" 2>/dev/null || break
      if (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; then
        REDIS_URL="redis://127.0.0.1:$REDIS_PORT/"
        export REDIS_PID REDIS_PORT REDIS_URL
        return 0
      fi
      sleep 0.05
    done
    stop_redis
  done
  echo "redis-server did not start" >&2
  return 1
}

stop_redis() {
  if [ -n "${REDIS_PID:-}" ]; then
    kill "$REDIS_PID" 2>/dev/null
    wait "$REDIS_PID" 2>/dev/null
  fi
  [ -n "${REDIS_DIR:-}" ] && rm -rf "$REDIS_DIR"
  REDIS_PID="" REDIS_DIR=""
  return 0
}
