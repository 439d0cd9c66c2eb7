/**
 * A self-signed certificate generated at test time (never checked in), for
 * the fault matrix's TLS case. Same approach as core's test helper: build it
 * with the `node-forge` that `selfsigned` depends on (resolved through core's
 * dev dependency, not installed here) and a key pair from Node's crypto.
 */
import { generateKeyPairSync } from "node:crypto"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

interface Forge {
  pki: {
    createCertificate(): {
      serialNumber: string
      validity: { notBefore: Date; notAfter: Date }
      publicKey: unknown
      setSubject(attrs: ReadonlyArray<Record<string, unknown>>): void
      setIssuer(attrs: ReadonlyArray<Record<string, unknown>>): void
      setExtensions(extensions: ReadonlyArray<Record<string, unknown>>): void
      sign(key: unknown, md: unknown): void
    }
    privateKeyFromPem(pem: string): unknown
    publicKeyFromPem(pem: string): unknown
    certificateToPem(cert: unknown): string
  }
  md: { sha256: { create(): unknown } }
}

const corePackage = fileURLToPath(new URL("../../../core/package.json", import.meta.url))
const fromCore = createRequire(corePackage)
const forge = createRequire(fromCore.resolve("selfsigned"))("node-forge") as Forge

/** A PEM key and a self-signed certificate for 127.0.0.1 / localhost, valid for a day. */
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
    { name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }
  ])
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create())
  return { key: privateKey, cert: forge.pki.certificateToPem(cert) }
}
