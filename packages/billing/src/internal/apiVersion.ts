/**
 * The Stripe API version launchgate pins: the one `stripe@23.1` was generated
 * against. Pinned here (not read from the SDK at run time) so that upgrading
 * the SDK is a visible change, and shared with the emulator so seeded webhook
 * endpoints default to it.
 *
 * @internal
 */
export const STRIPE_API_VERSION = "2026-10-28.endive"
