#!/usr/bin/env bash
# Publishability: pack every package the way it would be published (publishConfig applied:
# exports → dist), install the tarballs into an empty project with npm, then load every
# public subpath as ESM and CJS, run a gate from the built code, and run the built CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tgz" "$work/app"
for p in core gcp fivetran billing; do
  (cd "packages/$p" && pnpm pack --pack-destination "$work/tgz" >/dev/null)
done
cd "$work/app"
echo '{"name":"launchgate-pack-smoke","version":"1.0.0","private":true,"type":"module"}' > package.json
npm install --no-audit --no-fund --loglevel=error "$work"/tgz/*.tgz "effect@^3.22" >/dev/null
cp "$root/scripts/pack-smoke.mjs" .
node pack-smoke.mjs
npx launchgate --version >/dev/null
echo "pack smoke: the packed packages install, load (ESM and CJS) and run"
