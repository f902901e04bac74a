#!/usr/bin/env bash
# Builds the Debian package from a build tree with CPack, then checks it as
# an operator would use it: every dependency it declares is a Debian package
# installed here, `dpkg -i` installs it (into a scratch root with its own
# dpkg database, so the machine is left as it was), the unit it installed
# passes `systemd-analyze verify`, and the binary it installed starts, serves
# /readyz against wa-sim and stops on SIGTERM.
# Usage: check-package.sh BUILD_DIR WA_SIM_BINARY
# Exit 0: good; 1: a problem; 77: dpkg-deb, dpkg-shlibdeps or systemd-analyze missing.
set -euo pipefail
build=$1 wa_sim=$2

for tool in dpkg dpkg-deb dpkg-shlibdeps systemd-analyze cpack curl; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "check-package.sh: SKIPPED: $tool not found (apt-get install dpkg-dev systemd curl)" >&2; exit 77; }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "check-package.sh: $*" >&2; exit 1; }

# --- build -----------------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) ||
  { cat "$tmp/cpack.log" >&2; fail "cpack failed"; }
deb=$(ls "$tmp"/out/banditore_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "cpack wrote no banditore_*.deb"
version=$("$build/banditore" --version | head -n1 | cut -d' ' -f2)
[ "$(dpkg-deb -f "$deb" Package)" = banditore ] || fail "the package is not named banditore"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the package version is not the binary's ($version)"

# --- its contents ------------------------------------------------------------
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/banditore ./usr/lib/systemd/system/banditore.service \
         ./usr/share/doc/banditore/banditore.env.example ./usr/share/doc/banditore/configuration.md \
         ./usr/share/doc/banditore/operations.md ./usr/share/doc/banditore/README.md \
         ./usr/share/doc/banditore/CHANGELOG.md ./usr/share/doc/banditore/copyright; do
  grep -Fxq "$f" <<<"$contents" || fail "the package lacks $f"
done

# --- its dependencies: Debian package names, all installed here -----------------
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libsqlite3 libssl3 libdate-tz3 tzdata; do
  grep -q "$lib" <<<"$depends" || fail "Depends: does not name $lib ($depends)"
done
IFS=',' read -ra items <<<"$depends"
for item in "${items[@]}"; do
  satisfied=0
  IFS='|' read -ra choices <<<"$item"
  for choice in "${choices[@]}"; do
    name=$(awk '{print $1}' <<<"$choice")
    constraint=$(sed -n 's/.*(\(.*\)).*/\1/p' <<<"$choice")
    installed=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null | awk '$3 == "installed" {print $4}') || true
    [ -n "$installed" ] || continue
    if [ -n "$constraint" ]; then
      dpkg --compare-versions "$installed" "$(awk '{print $1}' <<<"$constraint")" "$(awk '{print $2}' <<<"$constraint")" ||
        continue
    fi
    satisfied=1
  done
  [ "$satisfied" -eq 1 ] || fail "dependency '$item' is not satisfied on this machine"
done

# --- dpkg -i -------------------------------------------------------------------
# A scratch root with its own dpkg database; the maintainer scripts run
# unchrooted with DPKG_ROOT set, as dpkg documents for such roots, and do
# nothing there. Dependencies were checked against this machine above.
root=$tmp/root admin=$tmp/admin
mkdir -p "$root" "$admin/info" "$admin/updates" "$admin/triggers"
: >"$admin/status"
dpkg --instdir="$root" --admindir="$admin" --force-script-chrootless --force-depends --force-not-root \
  --log="$tmp/dpkg.log" -i "$deb" >"$tmp/dpkg.out" 2>&1 || { cat "$tmp/dpkg.out" >&2; fail "dpkg -i failed"; }
dpkg-query --admindir="$admin" -W -f='${Status}\n' banditore | grep -q 'install ok installed' ||
  fail "dpkg does not list banditore as installed"

# --- the installed unit --------------------------------------------------------
unit=$root/usr/lib/systemd/system/banditore.service
grep -Fxq "ExecStart=/usr/bin/banditore serve" "$unit" || fail "the installed unit does not run /usr/bin/banditore serve"
grep -Fxq "ExecStartPre=/usr/bin/banditore migrate" "$unit" || fail "the installed unit does not migrate first"
grep -Fxq "Documentation=file:///usr/share/doc/banditore/operations.md" "$unit" ||
  fail "the installed unit's Documentation= is not the installed operations.md"
# verify refuses an ExecStart= that does not exist: point it at the binary
# in the scratch root.
mkdir -p "$tmp/verify"
sed "s|=/usr/bin/banditore |=$root/usr/bin/banditore |" "$unit" >"$tmp/verify/banditore.service"
out=$(cd "$tmp/verify" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "$tmp/verify/banditore.service" 2>&1) ||
  { echo "$out" >&2; fail "systemd-analyze verify failed on the installed unit"; }
if grep -E 'banditore' <<<"$out" >&2; then fail "systemd-analyze verify warns about the installed unit (above)"; fi

# --- the installed binary starts and serves --------------------------------------
bin=$root/usr/bin/banditore
"$bin" --version | grep -q "^banditore $version" || fail "the installed binary does not run"
"$wa_sim" --listen 127.0.0.1:0 --port-file "$tmp/sim.port" >"$tmp/sim.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do [ -s "$tmp/sim.port" ] && break; sleep 0.1; done
[ -s "$tmp/sim.port" ] || fail "wa-sim did not start"
sim="http://127.0.0.1:$(cat "$tmp/sim.port")"
# The settings of the example file the package installs, with this test's
# paths and wa-sim's credentials. The log exists before the binary starts:
# the background shell opens it later than the loop below may read it.
: >"$tmp/serve.log"
env -i PATH="$PATH" \
  BANDITORE_LISTEN=127.0.0.1:0 BANDITORE_DB="$tmp/data/banditore.db" BANDITORE_KEY_FILE="$tmp/data/banditore.key" \
  BANDITORE_WA_API_BASE="$sim" BANDITORE_WA_PHONE_NUMBER_ID=100000000000001 BANDITORE_WA_TOKEN=sim-token \
  BANDITORE_WA_APP_SECRET=sim-app-secret BANDITORE_WA_VERIFY_TOKEN=verify-me \
  "$bin" serve >"$tmp/serve.log" 2>&1 &
serve=$!
pids+=($serve)
port=""
for _ in $(seq 300); do
  port=$(sed -n 's/.*"event":"server.listening".*"port":\([0-9]*\).*/\1/p' "$tmp/serve.log" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$serve" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/serve.log" >&2; fail "the installed binary did not start serving"; }
ready=""
for _ in $(seq 300); do
  ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)
  [ "$ready" = 200 ] && break
  sleep 0.1
done
[ "$ready" = 200 ] || { cat "$tmp/serve.log" >&2; fail "/readyz of the installed binary answered $ready"; }
kill -TERM "$serve"
code=0
wait "$serve" || code=$?
[ "$code" -eq 0 ] || { cat "$tmp/serve.log" >&2; fail "the installed binary exited $code on SIGTERM"; }

echo "check-package.sh: $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) installs with dpkg, depends on $(tr -d '\n' <<<"$depends"); its unit verifies; its binary serves and stops"
