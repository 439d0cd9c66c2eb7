/**
 * A self-signed certificate for 127.0.0.1, generated at test time (never
 * checked in). `selfsigned` is a dev dependency of @launchgate/core, so it is
 * resolved from there (the approach of packages/core/test/helpers/httpTls.ts).
 */
import { createRequire } from "node:module"

interface SelfSigned {
  generate(
    attrs: ReadonlyArray<{ name: string; value: string }>,
    options: { days: number; keySize: number; extensions: ReadonlyArray<Record<string, unknown>> }
  ): { private: string; cert: string }
}

const selfsigned = createRequire(new URL("../../core/package.json", import.meta.url))("selfsigned") as SelfSigned

/** A PEM key and certificate for localhost / 127.0.0.1, trusted by nobody. */
export const selfSignedPem = (): { readonly key: string; readonly cert: string } => {
  const pems = selfsigned.generate([{ name: "commonName", value: "localhost" }], {
    days: 2,
    keySize: 2048,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }]
  })
  return { key: pems.private, cert: pems.cert }
}
