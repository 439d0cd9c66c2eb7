/**
 * The billing reads as core `ResourceStore` kinds: one table, so the store
 * caches and de-duplicates each read for the run (nine checks, six GETs).
 *
 * Prices are read by lookup key in batches (Stripe takes up to ten
 * `lookup_keys[]` per list call), so the `price` kind is a list whose scope
 * is the batch (a JSON array of keys); `BillingClient` remembers which batch
 * holds each key, so a key is asked for once per run. Events are a list
 * scoped by the window start.
 *
 * @internal
 */
import type { ResourceStore } from "@launchgate/core"
import type { BillingError } from "../BillingError.js"
import type * as P from "../BillingProvider.js"

/** The store's kinds over a provider's reads. */
export const kinds = (provider: P.Provider) => {
  const account: ResourceStore.Kind<P.AccountStatus, BillingError> = { get: () => provider.account }
  const taxSettings: ResourceStore.Kind<P.TaxSettings, BillingError> = { get: () => provider.taxSettings }
  const webhookEndpoint: ResourceStore.Kind<P.WebhookEndpoint, BillingError> = {
    list: () => provider.webhookEndpoints,
    keyOf: (endpoint) => endpoint.id
  }
  const portalConfiguration: ResourceStore.Kind<P.PortalConfiguration, BillingError> = {
    list: () => provider.portalConfigurations,
    keyOf: (configuration) => configuration.id
  }
  const undeliveredEvent: ResourceStore.Kind<P.UndeliveredEvent, BillingError> = {
    list: (_, sinceMillis) => provider.undeliveredEvents(new Date(Number(sinceMillis)))
  }
  const price: ResourceStore.Kind<P.Price, BillingError> = {
    list: (_, lookupKeys) => provider.pricesByLookupKeys(JSON.parse(lookupKeys) as ReadonlyArray<string>),
    keyOf: (p) => p.id
  }
  return { account, taxSettings, webhookEndpoint, portalConfiguration, undeliveredEvent, price }
}
