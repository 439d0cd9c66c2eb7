/**
 * Certificates generated at test time (never checked in), for the TLS
 * certificate check and the transport's CA / insecure-origin options.
 *
 * `selfsigned` verifies what it generates against the current time, so it
 * cannot produce an already-expired certificate; we build certificates with
 * the `node-forge` it depends on (resolved through it, not installed
 * separately) and a key pair from Node's own crypto, generated once.
 */
import { generateKeyPairSync } from "node:crypto"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)

interface ForgeCertificate {
  serialNumber: string
  validity: { notBefore: Date; notAfter: Date }
  publicKey: unknown
  setSubject(attrs: ReadonlyArray<Record<string, unknown>>): void
  setIssuer(attrs: ReadonlyArray<Record<string, unknown>>): void
  setExtensions(extensions: ReadonlyArray<Record<string, unknown>>): void
  sign(key: unknown, md: unknown): void
}
interface Forge {
  pki: {
    createCertificate(): ForgeCertificate
    privateKeyFromPem(pem: string): unknown
    publicKeyFromPem(pem: string): unknown
    certificateToPem(cert: ForgeCertificate): string
  }
  md: { sha256: { create(): unknown } }
}

const forge = createRequire(require.resolve("selfsigned"))("node-forge") as Forge

let keys: { readonly privateKey: string; readonly publicKey: string } | undefined
const keyPair = () =>
  (keys ??= generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" }
  }))

/** A PEM key and certificate. */
export interface Pem {
  readonly key: string
  readonly cert: string
}

const DAY = 86_400_000
let serial = 1

/**
 * A self-signed certificate (usable as its own CA) for `dnsNames` and `ips`
 * (default localhost and 127.0.0.1), valid from `notBefore` (default one
 * hour ago) until `days` from now (negative: already expired).
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
  const { privateKey, publicKey } = keyPair()
  const cert = forge.pki.createCertificate()
  cert.serialNumber = (serial++).toString(16).padStart(4, "0")
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - 3_600_000)
  cert.validity.notAfter = new Date(Date.now() + options.days * DAY)
  const attrs = [{ name: "commonName", value: options.commonName ?? dnsNames[0] ?? "localhost" }]
  cert.setSubject(attrs)
  cert.setIssuer(attrs)
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey)
  cert.setExtensions([
    { name: "basicConstraints", cA: true },
    { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [...dnsNames.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))] }
  ])
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create())
  return { key: privateKey, cert: forge.pki.certificateToPem(cert) }
}
