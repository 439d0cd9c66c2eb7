#!/usr/bin/env bash
# Everything CI proves, in order: types, build, the whole test suite on Node 20 (the
# machine's Node, our floor) and again on Node 22 and Node 24 (the LTS lines users run,
# brought by `npx -y node@22` / `node@24`), then one summary line per run and a closing
# total that CI reads. The HTML report's browser test needs Chromium: under CI it is
# installed from Debian's packages when absent (no browser download from anywhere else).
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp

step() { printf '\n== %s\n' "$*"; }

if [ "${CI:-}" = "true" ] && [ -z "${LAUNCHGATE_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  step "install Chromium (Debian package) for the HTML report's browser test"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >.tmp/apt.log 2>&1 \
    || { tail -20 .tmp/apt.log; echo "could not install chromium; the browser test will fail under CI"; }
fi

step "typecheck"
pnpm -r --workspace-concurrency=1 typecheck || exit 1
node node_modules/typescript/bin/tsc -p bench/tsconfig.json || exit 1

# Packing runs each package's `prepack` (tsup: ESM + CJS + .d.ts), so this step is also the build.
step "build, pack and install the packages like a user would"
bash scripts/pack-smoke.sh || exit 1
node scripts/check-exports.mjs || exit 1

step "tests on Node $(node --version)"
node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json=.tmp/vitest-node20.json
node20=$?

step "tests on Node 22"
npx -y node@22 node_modules/vitest/vitest.mjs run --reporter=dot --reporter=json --outputFile.json=.tmp/vitest-node22.json
node22=$?

step "tests on Node 24"
npx -y node@24 node_modules/vitest/vitest.mjs run --reporter=dot --reporter=json --outputFile.json=.tmp/vitest-node24.json
node24=$?

node scripts/summarize-tests.mjs .tmp/vitest-node20.json .tmp/vitest-node22.json .tmp/vitest-node24.json
summary=$?
if [ $node20 -ne 0 ] || [ $node22 -ne 0 ] || [ $node24 -ne 0 ] || [ $summary -ne 0 ]; then exit 1; fi
