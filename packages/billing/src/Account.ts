/**
 * Can the account take money? Charges, payouts and verification
 * requirements, all from one read of the account.
 *
 * @since 0.1.0
 */
import { type Check, Outcome } from "@launchgate/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { BillingClient } from "./BillingClient.js"
import type { Requirements } from "./BillingProvider.js"
import * as Billing from "./internal/checks.js"

const ROLE = "Stripe restricted key with Account: Read (rak_account_read)"
const DASHBOARD = "Dashboard → Settings → Business → Account status"

/** What to do, per finding, for the person reading the report. */
const remediation = {
  charges: `Provide the missing verification information in ${DASHBOARD}; charges stay disabled until Stripe has it.`,
  payouts: `Add and verify a bank account in Dashboard → Settings → Business → Bank accounts, and clear the ` +
    `requirements in ${DASHBOARD}.`,
  requirements: `Provide the listed information in ${DASHBOARD} before the deadline.`
} as const

/**
 * `billing.account.charges-enabled`: the account can create charges and is
 * not disabled (`charges_enabled`, no `requirements.disabled_reason`).
 */
export const chargesEnabled = (): Check.Check<BillingClient> =>
  Billing.make({
    id: "billing.account.charges-enabled",
    title: "Billing account can take charges",
    surface: "billing.account",
    category: "dependencies",
    description: "The billing account can take payments: charges are enabled and the account is not disabled.",
    role: ROLE,
    run: (provider) =>
      Effect.map(provider.account, (account) => {
        const observed = {
          account: account.id,
          chargesEnabled: account.chargesEnabled,
          disabledReason: account.requirements.disabledReason
        }
        const expected = { chargesEnabled: true, disabledReason: null }
        const { disabledReason, pastDue, currentlyDue } = account.requirements
        if (account.chargesEnabled && disabledReason === null) {
          return Outcome.pass(`account ${account.id} can take charges`, { observed, expected })
        }
        const message = account.chargesEnabled
          ? `account ${account.id} is disabled (${disabledReason})`
          : `account ${account.id} cannot take charges${disabledReason ? ` (${disabledReason})` : ""}`
        return Outcome.fail(message, {
          observed,
          expected,
          evidence: { pastDue, currentlyDue },
          remediation: remediation.charges
        })
      })
  })

/** `billing.account.payouts-enabled`: the money taken can be paid out (`payouts_enabled`). */
export const payoutsEnabled = (): Check.Check<BillingClient> =>
  Billing.make({
    id: "billing.account.payouts-enabled",
    title: "Billing account can pay out",
    surface: "billing.account",
    category: "dependencies",
    description: "Payouts are enabled, so money taken reaches the bank account.",
    role: ROLE,
    run: (provider) =>
      Effect.map(provider.account, (account) => {
        const observed = { account: account.id, payoutsEnabled: account.payoutsEnabled }
        return account.payoutsEnabled
          ? Outcome.pass(`account ${account.id} can pay out`, { observed, expected: { payoutsEnabled: true } })
          : Outcome.fail(`account ${account.id} cannot pay out`, {
            observed,
            expected: { payoutsEnabled: true },
            evidence: { currentlyDue: account.requirements.currentlyDue },
            remediation: remediation.payouts
          })
      })
  })

/** Options of {@link requirements}. */
export interface RequirementsOptions {
  /** A verification deadline closer than this warns. Default 14 days. */
  readonly deadlineWithin?: Duration.DurationInput | undefined
}

const dueNow = (r: Requirements) => [...new Set([...r.currentlyDue, ...r.pastDue])]

const soonestDeadline = (deadlines: ReadonlyArray<Date | null>): Date | undefined =>
  deadlines.filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0]

/**
 * `billing.account.requirements`: onboarding is complete (`details_submitted`)
 * and nothing is currently or past due. A verification deadline (current or
 * future requirements) within `deadlineWithin` warns.
 */
export const requirements = (options: RequirementsOptions = {}): Check.Check<BillingClient> =>
  Billing.make({
    id: "billing.account.requirements",
    title: "Billing account has no outstanding verification requirements",
    surface: "billing.account",
    category: "dependencies",
    description: "Onboarding is complete and no verification information is due, so charges will not be paused " +
      "after launch.",
    role: ROLE,
    run: (provider) =>
      Effect.gen(function*() {
        const account = yield* provider.account
        const now = yield* Clock.currentTimeMillis
        const within = Duration.decode(options.deadlineWithin ?? "14 days")
        const r = account.requirements
        const future = account.futureRequirements
        const observed = {
          account: account.id,
          detailsSubmitted: account.detailsSubmitted,
          currentlyDue: r.currentlyDue,
          pastDue: r.pastDue,
          eventuallyDue: r.eventuallyDue,
          currentDeadline: r.currentDeadline,
          futureCurrentlyDue: future.currentlyDue,
          futureDeadline: future.currentDeadline
        }
        const expected = { detailsSubmitted: true, currentlyDue: [], pastDue: [] }
        const due = dueNow(r)
        if (!account.detailsSubmitted || due.length > 0) {
          const message = !account.detailsSubmitted
            ? `account ${account.id} has not finished onboarding (details_submitted is false)`
            : `account ${account.id} has ${due.length} verification requirement(s) due` +
              `${r.currentDeadline ? ` by ${r.currentDeadline.toISOString()}` : ""}: ${due.join(", ")}`
          return Outcome.fail(message, { observed, expected, remediation: remediation.requirements })
        }
        const soonest = soonestDeadline([r.currentDeadline, future.currentDeadline])
        if (soonest !== undefined && soonest.getTime() - now <= Duration.toMillis(within)) {
          const days = Math.max(0, Math.ceil((soonest.getTime() - now) / 86_400_000))
          const fields = [...future.currentlyDue, ...future.pastDue].join(", ") || "see the Dashboard"
          const message = `verification deadline ${soonest.toISOString()} is ${days} day(s) away (${fields})`
          const deadline = { ...expected, deadlineNotWithin: Duration.format(within) }
          return Outcome.warn(message, { observed, expected: deadline, remediation: remediation.requirements })
        }
        return Outcome.pass(`account ${account.id} has no verification requirements due`, { observed, expected })
      })
  })
