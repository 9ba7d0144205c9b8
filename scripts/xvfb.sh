# Sourced by scripts/run-tests.sh and .ci/run: start_xvfb starts Xvfb on a free display
# (a stale /tmp/.X*-lock from an earlier run must not break a run) and exports DISPLAY.
start_xvfb() {
  local n
  for n in $(seq 90 400); do
    if [ -e "/tmp/.X${n}-lock" ]; then
      # a lock left by a server that is gone does not keep the display busy
      local owner
      owner=$(tr -d ' ' < "/tmp/.X${n}-lock" 2>/dev/null || true)
      if [ -n "$owner" ] && kill -0 "$owner" 2>/dev/null; then continue; fi
      rm -f "/tmp/.X${n}-lock" "/tmp/.X11-unix/X${n}"
    fi
    [ -e "/tmp/.X11-unix/X${n}" ] && continue
    Xvfb ":${n}" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 50); do
      if DISPLAY=":${n}" xdpyinfo >/dev/null 2>&1; then
        export DISPLAY=":${n}"
        echo "== Xvfb on ${DISPLAY}"
        return 0
      fi
      sleep 0.1
    done
    kill "$XVFB_PID" 2>/dev/null || true
  done
  echo "could not start Xvfb" >&2
  return 1
}
