#!/usr/bin/env bash
# Installs everything banditore needs to build, test and run, from Debian 12's
# archive. Idempotent: packages already present are left alone.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libsqlitecpp-dev libsqlite3-dev sqlite3
  nlohmann-json3-dev libfmt-dev doctest-dev libssl-dev libpugixml-dev
  ca-certificates curl systemd
  # The fuzz preset: clang with libFuzzer and the sanitizer runtimes
  # (libclang-rt is only a recommendation of clang-14, and recommendations
  # are not installed here).
  clang-14 libclang-rt-14-dev libfuzzer-14-dev
  # Snowball's stemmer (Italian words of citizens), Howard Hinnant's date
  # with the system's time-zone database (local times in Europe/Rome).
  libstemmer-dev libhowardhinnant-date-dev tzdata
  # The QR code of the town's poster and page, and zbarimg, which reads it
  # back in the tests as a phone would.
  libqrencode-dev zbar-tools
  # feedparser reads the Atom feeds back in the tests as aggregators do.
  python3-feedparser
  # Staff passwords (Argon2id) and random tokens; Mustache templates of the
  # public pages and the console (header-only).
  libsodium-dev libkainjow-mustache-dev
  # bench/ingest --callgrind counts instructions per request under callgrind.
  valgrind
  # Browser tests: headless Chromium driven by Selenium; xmllint checks the
  # Atom and CAP documents are well formed; a colour emoji font, without
  # which the pages' symbols (severity, attachment) are drawn as boxes in
  # the screenshots.
  chromium chromium-driver python3-selenium libxml2-utils fonts-noto-color-emoji
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "install.sh: installing ${missing[*]}" >&2
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "install.sh: dependencies present" >&2
