// The quickstart gate as a vitest suite: one test per check, one for the verdict.
import { describeGate } from "@launchgate/core/vitest"
import gate from "../gate.js"

describeGate(gate)
