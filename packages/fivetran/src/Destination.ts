/**
 * Every `fivetran.destination.*` check. Both read `GET /v1/destinations/{id}`
 * once per run. In Fivetran a destination's id is its group's id.
 *
 * @since 0.1.0
 */
import { Check, Outcome } from "@launchgate/core"
import * as Effect from "effect/Effect"
import { FivetranClient } from "./FivetranClient.js"
import { orError, unknownValue, withReads } from "./internal/evidence.js"
import { DESTINATION_SETUP_STATUSES, type DestinationDetails, isUnknown, raw } from "./internal/schema.js"

/** The surface of every check in this module. */
export const surface = "fivetran.destination"

const ROLE =
  "Fivetran API key of a user with View Destination on this destination (or Account Reviewer); read-only"

/** Which destination a check reads. */
export interface Target {
  /** The destination id (the same as its group id). */
  readonly destinationId: string
}

const destinationCheck = (
  meta: Pick<Check.Options, "id" | "title" | "category" | "description">,
  destinationId: string,
  judge: (d: DestinationDetails) => Outcome.Outcome
): Check.Check<FivetranClient> =>
  Check.make({
    ...meta,
    surface,
    role: ROLE,
    run: orError(Effect.gen(function*() {
      const client = yield* FivetranClient
      const read = yield* client.destination(destinationId)
      return withReads(judge(read.value), [read.meta])
    }))
  })

const name = (d: DestinationDetails) => `destination ${d.id} (${d.service})`

const remediation = {
  notConnected: (groupId: string, status: string) =>
    "Open the destination in Fivetran and fix what its setup tests name (warehouse credentials, network " +
    "allow-list, permissions), then re-test it. " +
    `Every connection of group ${groupId} stops loading while it is ${status}.`,
  wrongRegion: "A destination's region is set when it is created. Create the destination in the right region " +
    "(or correct the expectation if the promise changed) before customer data flows."
} as const

/**
 * `fivetran.destination.connected`: `setup_status` is `connected`, compared
 * case-insensitively (the spec documents `CONNECTED`, the API sends
 * `connected`). `incomplete` and `broken` fail with the setup tests.
 *
 * @example
 * Destination.connected({ destinationId: "decent_dropsy" })
 */
export const connected = (target: Target): Check.Check<FivetranClient> =>
  destinationCheck({
    id: "fivetran.destination.connected",
    title: "Fivetran destination is connected",
    category: "dependencies",
    description: "The warehouse every connection loads into accepts Fivetran's writes (setup_status connected)."
  }, target.destinationId, (d) => {
    const status = d.setup_status
    if (isUnknown(status)) return unknownValue(name(d), "setup_status", status, DESTINATION_SETUP_STATUSES)
    if (status === "connected") {
      return Outcome.pass(`${name(d)} is connected`, { observed: status, expected: "connected" })
    }
    const setupTests = d.setup_tests.map((t) => ({ title: t.title, status: raw(t.status), message: t.message }))
    return Outcome.fail(`${name(d)} setup status is ${status}`, {
      observed: status,
      expected: "connected",
      evidence: { setupTests },
      remediation: remediation.notConnected(d.group_id, status)
    })
  })

/** Options of {@link region}. */
export interface RegionOptions extends Target {
  /** The allowed data processing region(s), e.g. `AWS_EU_CENTRAL_1`. */
  readonly expected: string | ReadonlyArray<string>
}

/**
 * `fivetran.destination.region`: Fivetran processes the data in the
 * expected region (data residency). Regions compare case-insensitively.
 */
export const region = (options: RegionOptions): Check.Check<FivetranClient> => {
  const allowed = typeof options.expected === "string" ? [options.expected] : options.expected
  return destinationCheck({
    id: "fivetran.destination.region",
    title: "Fivetran destination processes data in the expected region",
    category: "security",
    description: "Fivetran runs this destination's data processing in the region the product promises customers."
  }, options.destinationId, (d) => {
    const details = { observed: d.region, expected: allowed }
    if (allowed.some((r) => r.toUpperCase() === d.region.toUpperCase())) {
      return Outcome.pass(`${name(d)} processes data in ${d.region}`, details)
    }
    const message = `${name(d)} processes data in ${d.region}, not ${allowed.join(" or ")}`
    return Outcome.fail(message, { ...details, remediation: remediation.wrongRegion })
  })
}

/** Every destination check's id. */
export const ids = ["fivetran.destination.connected", "fivetran.destination.region"] as const
