// Prints one line per vitest JSON report and a closing "N passed, N failed, N skipped"
// total. Exits non-zero when a report is missing, has failures, or ran no test.
import { existsSync, readFileSync } from "node:fs"

let passed = 0
let failed = 0
let skipped = 0
let ok = true
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.log(`${file}: missing (the run did not finish)`)
    ok = false
    continue
  }
  const report = JSON.parse(readFileSync(file, "utf8"))
  const p = report.numPassedTests ?? 0
  const f = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0)
  const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  console.log(`${file}: ${p} passed, ${f} failed, ${s} skipped`)
  if (f > 0 || p === 0 || report.success === false) ok = false
  passed += p
  failed += f
  skipped += s
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(ok ? 0 : 1)
