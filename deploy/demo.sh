#!/usr/bin/env bash
# Installs, builds and starts banditore on its embedded defaults: SQLite
# under ./var and, since no Meta credentials are configured, the WhatsApp
# simulator (wa-sim) as its Cloud API. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash deploy/install.sh
cmake --preset release >/dev/null
cmake --build --preset release --target banditore_exe wa-sim

listen=${BANDITORE_LISTEN:-127.0.0.1:8080}
sim_port=${WA_SIM_PORT:-9090}
mkdir -p var
if [ -z "${BANDITORE_WA_TOKEN:-}${BANDITORE_WA_TOKEN_FILE:-}" ]; then
  echo "demo.sh: no Meta credentials configured: using wa-sim on port $sim_port as the Cloud API" >&2
  ./build/release/tests/wa-sim --listen "127.0.0.1:$sim_port" --webhook "http://$listen/webhook/whatsapp" \
    --log-level warn 2>>var/wa-sim.log &
  sim_pid=$!
  trap 'kill $sim_pid 2>/dev/null || true' EXIT
  export BANDITORE_WA_API_BASE="http://127.0.0.1:$sim_port"
  export BANDITORE_WA_PHONE_NUMBER_ID=100000000000001
  export BANDITORE_WA_TOKEN=sim-token
  export BANDITORE_WA_APP_SECRET=sim-app-secret
  export BANDITORE_WA_VERIFY_TOKEN=${BANDITORE_WA_VERIFY_TOKEN:-demo-verify-token}
fi
export BANDITORE_LISTEN=$listen
# The demo's staff may log in without a second factor (a town sets
# BANDITORE_CONSOLE_TOTP=required, the default, in production).
export BANDITORE_CONSOLE_TOTP=${BANDITORE_CONSOLE_TOTP:-optional}

# A first admin for the staff console, made once; its temporary password
# is kept in var/demo-admin.txt (readable by this user only).
admin_email=admin@demo.invalid
if [ ! -s var/demo-admin.txt ]; then
  password=$(./build/release/banditore users create --email "$admin_email" --name "Amministrazione demo" --role admin)
  (umask 077 && printf '%s %s\n' "$admin_email" "$password" >var/demo-admin.txt)
fi
read -r admin_email admin_password <var/demo-admin.txt

cat <<TXT

banditore is starting on http://$listen (logs below, one JSON object per line).
Try it from another terminal:

  # a citizen (played by wa-sim) texts "Attiva" to the town's number
  curl -s -X POST http://127.0.0.1:$sim_port/sim/citizens/messages \\
       -d '{"messages":[{"from":"393331234567","text":"Attiva"}]}'
  # what the citizen's phone received
  curl -s http://127.0.0.1:$sim_port/sim/inbox/393331234567
  # Disattiva erases the number
  curl -s -X POST http://127.0.0.1:$sim_port/sim/citizens/messages \\
       -d '{"messages":[{"from":"393331234567","text":"Disattiva"}]}'
  # Meta's webhook verification handshake
  curl -s "http://$listen/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=\$BANDITORE_WA_VERIFY_TOKEN&hub.challenge=42"
  curl -s http://$listen/healthz; curl -s http://$listen/readyz

The staff console: http://$listen/console/login
  email:    $admin_email
  password: $admin_password   (also in var/demo-admin.txt; change it
            under «Il mio account»)

TXT
./build/release/banditore serve
