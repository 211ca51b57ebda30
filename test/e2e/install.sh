#!/usr/bin/env bash
# Installs the real-VS-Code harness for the e2e tests: code-server (VS Code 1.100.3 served
# to a browser), playwright-core, and Debian's Chromium. It lives in a tools folder outside
# the project's dependency tree and is cached: a second run with everything in place
# returns at once. See shared reference "vscode-e2e.md" for why each step is needed.
#
#   DAXLAYOUT_E2E_TOOLS   where to install (default: $HOME/.cache/daxlayout-e2e)
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
RIPGREP_NPM_VERSION=1.18.0      # @vscode/ripgrep-linux-x64: the rg binary shipped in the npm registry
TOOLS="${DAXLAYOUT_E2E_TOOLS:-$HOME/.cache/daxlayout-e2e}"
PREFIX="$TOOLS/code-server-$CODE_SERVER_VERSION"
STAMP="$PREFIX/.installed"

say() { echo "[e2e install] $*"; }

# 1. Debian packages: Chromium to drive, and what code-server's native modules build with.
need_apt=()
for pkg in chromium libkrb5-dev build-essential python3 pkg-config; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
  say "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ -f "$STAMP" ] && [ -x "$PREFIX/node_modules/.bin/code-server" ] && [ -d "$PREFIX/node_modules/playwright-core" ]; then
  say "code-server $CODE_SERVER_VERSION already installed in $PREFIX"
  exit 0
fi

say "installing code-server $CODE_SERVER_VERSION and playwright-core $PLAYWRIGHT_VERSION into $PREFIX"
start=$(date +%s)
rm -rf "$PREFIX"
mkdir -p "$PREFIX/tmp"
cd "$PREFIX"
printf '{ "name": "daxlayout-e2e-tools", "private": true }\n' > package.json

# 2. @vscode/ripgrep (a code-server dependency) downloads rg from GitHub in its postinstall,
#    which cannot be reached here. It first looks in a cache under the temp dir: put a tarball
#    there holding the rg binary that the npm package @vscode/ripgrep-linux-x64 ships.
export TMPDIR="$PREFIX/tmp"
rg_cache="$TMPDIR/vscode-ripgrep-cache-1.15.11"
mkdir -p "$rg_cache" "$TMPDIR/rg"
(cd "$TMPDIR/rg" && npm pack --silent "@vscode/ripgrep-linux-x64@$RIPGREP_NPM_VERSION" >/dev/null && tar -xzf ./*.tgz)
chmod +x "$TMPDIR/rg/package/bin/rg"
tar -czf "$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$TMPDIR/rg/package/bin" rg

# 3. code-server and playwright-core. As root the postinstall stops without --unsafe-perm;
#    node-pty's postinstall runs `npx node-gyp`, which needs npm_config_yes.
export npm_config_yes=true
npm install --unsafe-perm --no-audit --no-fund --loglevel=error \
  "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"

"$PREFIX/node_modules/.bin/code-server" --version >/dev/null
rm -rf "$TMPDIR"
touch "$STAMP"
say "done in $(( $(date +%s) - start )) s"
