#!/usr/bin/env bash
# Publishability, as a new user meets it. Every publishable workspace package (not private,
# discovered from packages/*/package.json) is packed the way it would be published: `pnpm
# pack` runs its `prepack` build and applies publishConfig (exports → dist). Then two empty
# projects install the tarballs with npm, exactly as the README's install line says:
#   app:  `npm install --save-dev <packages> effect@^3`: every public subpath loads as ESM and CJS, a
#         gate runs from the built code, the CLI runs, and a strict TypeScript consumer
#         (strict, skipLibCheck off, NodeNext) importing every entry point compiles;
#   app4: `npm install <packages> effect@4 --legacy-peer-deps` (npm's own advice when it refuses the
#         peer range; a bare `effect` can also land on 4.x, with only a warning): every entry and
#         the CLI refuse with the one sentence that says to install effect@^3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
# PACK_SMOKE_KEEP=1 keeps the projects for a look afterwards.
if [ -n "${PACK_SMOKE_KEEP:-}" ]; then echo "pack smoke: working in $work"; else trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work/tgz" "$work/app" "$work/app4"
started=$(date +%s)

mapfile -t packages < <(node scripts/publishable.mjs)
# The builds are independent (each resolves the others from source), so two run at once.
printf '%s\n' "${packages[@]}" | xargs -P 2 -I{} bash -c '
  cd "{}" && log="$0/pack-$(basename "{}").log"
  pnpm pack --pack-destination "$0/tgz" >"$log" 2>&1 || { cat "$log"; echo "pack failed: {}"; exit 1; }
' "$work"
node scripts/pack-smoke.mjs tarballs "$work/tgz" "$started" "${packages[@]}"
packed=$(date +%s)

# The README's line, with npm and no pins of our own; both projects install at once.
install() {
  cd "$work/$1"
  echo '{"name":"launchgate-pack-smoke","version":"1.0.0","private":true,"type":"module"}' > package.json
  shift
  npm install --save-dev --no-audit --no-fund --loglevel=error "$work"/tgz/*.tgz "$@" >install.log 2>&1 \
    || { cat install.log; echo "npm install $* failed"; return 1; }
}
install app "effect@^3" & three=$!
install app4 "effect@4" --legacy-peer-deps & four=$!
wait $three
wait $four
installed=$(date +%s)

cd "$work/app"
cp "$root/scripts/pack-smoke.mjs" .
node pack-smoke.mjs load
node pack-smoke.mjs consumer "$root" "$work/app/consumer"
node "$root/node_modules/typescript/bin/tsc" -p consumer/tsconfig.json
npx --no-install launchgate --version >/dev/null

cd "$work/app4"
cp "$root/scripts/pack-smoke.mjs" .
node pack-smoke.mjs wrong-effect

echo "pack smoke: ${#packages[@]} packages packed ($((packed - started)) s), installed ($((installed - packed)) s);" \
  "with effect 3 every entry loads (ESM and CJS), a gate and the CLI run, and the strict consumer compiles;" \
  "with effect 4 every entry and the CLI say to install effect@^3 ($(($(date +%s) - started)) s in all)"
