/**
 * `@launchgate/gcp/emulator`: a local Google Cloud emulator (Cloud Run,
 * Secret Manager, Cloud Monitoring, Billing Budgets) on the launchgate
 * emulator kit, with builders for realistic fixtures.
 *
 * @example
 * import { GcpEmulator, seedRealisticProject } from "@launchgate/gcp/emulator"
 * const gcp = await GcpEmulator.start({ seed: (s) => seedRealisticProject(s, { problems: ["rotation-overdue"] }) })
 *
 * @since 0.1.0
 */
export * as GcpEmulator from "./GcpEmulator.js"
export {
  alertPolicy,
  budget,
  cloudRunService,
  type AlertPolicyOptions,
  type BudgetOptions,
  type CloudRunServiceOptions,
  type EnvSpec,
  type Fixture,
  folder,
  notificationChannel,
  type NotificationChannelOptions,
  type Problem,
  PROBLEMS,
  project,
  type RealisticProject,
  type RealisticProjectOptions,
  revisionId,
  secret,
  type SecretOptions,
  seedRealisticProject,
  uptimeCheck,
  uptimeCheckId,
  type UptimeCheckOptions
} from "./builders.js"
export type { State } from "./internal/state.js"
