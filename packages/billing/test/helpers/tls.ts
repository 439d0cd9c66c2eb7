/**
 * A self-signed certificate generated at test time (never checked in), for
 * the emulator's `tls` option: the approach of core's test helper
 * (`node-forge`, reached through core's `selfsigned` dev dependency, and a key
 * pair from Node's crypto), copied because test helpers are not shared across
 * packages.
 */
import { generateKeyPairSync } from "node:crypto"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

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

const corePackage = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../core/package.json")
const fromCore = createRequire(corePackage)
const forge = createRequire(fromCore.resolve("selfsigned"))("node-forge") as Forge

/** A PEM key and a self-signed certificate (its own CA) for localhost and 127.0.0.1, valid for a day. */
export const selfSigned = (): { readonly key: string; readonly cert: string } => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" }
  })
  const cert = forge.pki.createCertificate()
  cert.serialNumber = "01"
  cert.validity.notBefore = new Date(Date.now() - 3_600_000)
  cert.validity.notAfter = new Date(Date.now() + 86_400_000)
  const attrs = [{ name: "commonName", value: "localhost" }]
  cert.setSubject(attrs)
  cert.setIssuer(attrs)
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey)
  cert.setExtensions([
    { name: "basicConstraints", cA: true },
    { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }
  ])
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create())
  return { key: privateKey, cert: forge.pki.certificateToPem(cert) }
}
