# Sourced by scripts/run-tests.sh and .ci/run: start_xvfb starts Xvfb on a free display
# (a stale /tmp/.X*-lock from an earlier run must not break a run) and exports DISPLAY.
start_xvfb() {
  local n
  for n in $(seq 90 140); do
    [ -e "/tmp/.X${n}-lock" ] || [ -e "/tmp/.X11-unix/X${n}" ] && continue
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
