/**
 * Self-signed certificates generated at test time (never checked in), for
 * the TLS certificate check and the transport's CA / insecure-origin options.
 */
import { createRequire } from "node:module"

interface Generated {
  readonly private: string
  readonly cert: string
}
interface SelfSigned {
  generate(attrs: ReadonlyArray<Record<string, unknown>>, options: Record<string, unknown>): Generated
}

// selfsigned's type declarations do not export `generate`; load it through require.
const selfsigned = createRequire(import.meta.url)("selfsigned") as SelfSigned

/** A PEM key and certificate. */
export interface Pem {
  readonly key: string
  readonly cert: string
}

/**
 * A self-signed certificate (usable as its own CA) for `altNames`, valid
 * from `notBefore` (default now) until `days` from now (negative: expired).
 */
export const certificate = (options: {
  readonly days: number
  readonly notBefore?: Date
  readonly commonName?: string
  readonly dnsNames?: ReadonlyArray<string>
  readonly ips?: ReadonlyArray<string>
}): Pem => {
  const dnsNames = options.dnsNames ?? ["localhost"]
  const ips = options.ips ?? ["127.0.0.1"]
  const pems = selfsigned.generate([{ name: "commonName", value: options.commonName ?? dnsNames[0] ?? "localhost" }], {
    days: options.days,
    ...(options.notBefore ? { notBeforeDate: options.notBefore } : {}),
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [...dnsNames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))]
      }
    ]
  })
  return { key: pems.private, cert: pems.cert }
}
