// Runs inside an empty project where the packed tarballs were installed (see pack-smoke.sh).
import assert from "node:assert/strict"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const entries = [
  "@launchgate/core", "@launchgate/core/http", "@launchgate/core/emulator", "@launchgate/core/cli", "@launchgate/core/testing",
  "@launchgate/gcp", "@launchgate/gcp/emulator", "@launchgate/fivetran", "@launchgate/fivetran/emulator",
  "@launchgate/billing", "@launchgate/billing/emulator"
]
for (const entry of entries) {
  const esm = await import(entry)
  const cjs = require(entry)
  assert.ok(Object.keys(esm).length > 0, `${entry} (ESM) exports nothing`)
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(esm).sort(), `${entry}: ESM and CJS export different names`)
}

// A gate runs from the built code, and a registered secret never reaches the report.
const { Check, Gate, Outcome, Redaction, Runner } = await import("@launchgate/core")
Redaction.register("pack-smoke-secret-value")
const gate = Gate.make({
  name: "pack smoke",
  items: [{
    check: Check.fromAsync({ id: "smoke.x.y", title: "t", surface: "smoke.x", category: "capacity", run: async () => Outcome.pass("saw pack-smoke-secret-value") }),
    tier: "post-launch",
    owner: "ci"
  }]
})
const report = await Runner.runPromise(gate)
assert.equal(report.verdict, "ready")
assert.equal(report.items[0].message, "saw <redacted>")
