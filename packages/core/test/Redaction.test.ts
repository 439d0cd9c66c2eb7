import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { XMLParser } from "fast-xml-parser"
import {
  Check,
  ConsoleReporter,
  Gate,
  JsonReporter,
  JUnitReporter,
  MarkdownReporter,
  Outcome,
  Redaction,
  type Report,
  Runner
} from "../src/index.js"
import { isSecretName, scrubUrl } from "../src/internal/redactUrl.js"
import { hanging, recorder, single } from "./reporters/fixture.js"

afterEach(() => Redaction.clearRegistry())

describe("Redaction.scrub", () => {
  const masked: ReadonlyArray<readonly [string, string, string]> = [
    ["bearer token", "Authorization: Bearer abcDEF123456ghiJKL789", "Authorization: Bearer <redacted>"],
    ["URL-encoded bearer", "?h=Bearer%20abcDEF123456ghiJKL789", "?h=Bearer%20<redacted>"],
    ["basic credentials", "Basic dXNlcjpwYXNzd29yZA==", "Basic <redacted>"],
    ["Stripe live key", "key sk_live_51HabcdefghijklmnopqrstuV", "key <redacted>"],
    ["Stripe key glued to a name", "STRIPE_sk_live_51Habcdefghijklmnop_suffix", "STRIPE_<redacted>_suffix"],
    ["Stripe webhook secret", "whsec_abcdefghijklmnop", "<redacted>"],
    ["sk- API key", "sk-proj-abcdefghijklmnopqrstuvwx", "<redacted>"],
    ["Google OAuth token", "ya29.a0AfH6SMBabcdefghijk", "<redacted>"],
    ["Google API key", "AIzaSyA1234567890abcdefghijklmnopqrstuv", "<redacted>"],
    ["AWS access key id", "AKIAIOSFODNN7EXAMPLE", "<redacted>"],
    ["GitHub token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "<redacted>"],
    ["GitHub fine-grained token", "github_pat_11ABCDEFG0123456789_abcdefghij", "<redacted>"],
    ["Slack token", "xoxb-1234567890-abcdefghij", "<redacted>"],
    ["npm token", "npm_abcdefghijklmnopqrstuvwxyz0123456789", "<redacted>"],
    [
      "JWT",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "<redacted>"
    ],
    ["PEM private key", "k=-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- done", "k=<redacted> done"],
    ["JSON-escaped private key", `"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\\n"`, `"<redacted>\\n"`],
    ["PGP private key", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBF\n-----END PGP PRIVATE KEY BLOCK-----", "<redacted>"],
    ["cut-off private key", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI", "<redacted>"],
    ["password in a URL", "postgres://app:s3cr3t-pw@db.internal:5432/app", "postgres://app:<redacted>@db.internal:5432/app"],
    ["password=", "login with password=hunter2xyz&next=1", "login with password=<redacted>&next=1"],
    ["quoted JSON value", `{"client_secret": "a b c d"}`, `{"client_secret": "<redacted>"}`],
    ["single-quoted value", "api_key: 'k-123456'", "api_key: '<redacted>'"],
    ["prefixed key name", "GITHUB_TOKEN=abcd1234", "GITHUB_TOKEN=<redacted>"]
  ]
  for (const [what, input, output] of masked) {
    it(`masks a ${what}`, () => {
      expect(Redaction.scrub(input)).toBe(output)
      // Scrubbing twice changes nothing: reporters scrub before and after formatting.
      expect(Redaction.scrub(Redaction.scrub(input))).toBe(output)
    })
  }

  it("leaves ordinary text alone", () => {
    for (
      const text of [
        "p99 latency is 900 ms (expected <= 500)",
        "tokens: 5, passwordless login enabled",
        "sk_live_ (prefix only)",
        "the Bearer of bad news",
        "https://api.acme.dev/healthz?region=eu",
        "projects/acme/secrets/db-password/versions/3",
        `{"token": null, "password": true, "secret": false, "apiKey": [\n "x"], "cookie": {}}`
      ]
    ) expect(Redaction.scrub(text)).toBe(text)
  })

  it("masks registered secrets and Redacted values, also JSON-escaped and URL-encoded, longest first", () => {
    Redaction.register(Redacted.make("pa\"ss/wo+rd"))
    Redaction.register("hunter2-correct")
    Redaction.register("hunter2-correct-horse-battery")
    Redaction.register("short")
    expect(Redaction.scrub(`a pa"ss/wo+rd b`)).toBe("a <redacted> b")
    expect(Redaction.scrub(JSON.stringify({ v: `pa"ss/wo+rd` }))).toBe(`{"v":"<redacted>"}`)
    expect(Redaction.scrub(`?p=${encodeURIComponent(`pa"ss/wo+rd`)}`)).toBe("?p=<redacted>")
    expect(Redaction.scrub("x hunter2-correct-horse-battery y")).toBe("x <redacted> y")
    expect(Redaction.scrub("short")).toBe("short")
    Redaction.clearRegistry()
    expect(Redaction.scrub("hunter2-correct")).toBe("hunter2-correct")
  })

  it("a text scrubbed before a secret was registered is masked once it is (scrub remembers answers per registry)", () => {
    const text = "connection refused for key kq8Zr2mVx9 at 10:00"
    expect(Redaction.scrub(text)).toBe(text)
    expect(Redaction.scrub(text)).toBe(text)
    Redaction.register("kq8Zr2mVx9")
    expect(Redaction.scrub(text)).toBe("connection refused for key <redacted> at 10:00")
    Redaction.clearRegistry()
    expect(Redaction.scrub(text)).toBe(text)
    // Long texts are not remembered, and answer the same.
    const long = `${"x".repeat(300)} kq8Zr2mVx9`
    expect(Redaction.scrub(long)).toBe(long)
    Redaction.register("kq8Zr2mVx9")
    expect(Redaction.scrub(long)).toBe(`${"x".repeat(300)} <redacted>`)
  })
})

describe("Redaction.scrubJson", () => {
  it("scrubs keys and values, and masks values under keys that name a secret", () => {
    const scrubbed = Redaction.scrubJson({
      "Bearer abcdefghijklmnop": "header as a key",
      password: "plain-looking-value",
      nested: { apiKey: "k1234567", clientSecret: 12345678, accessToken: ["t-1", "t-2"], X_Auth_Token: "v" },
      passwordSet: true,
      secretName: "projects/acme/secrets/db",
      token: null,
      count: 3
    })
    expect(scrubbed).toEqual({
      "Bearer <redacted>": "header as a key",
      password: "<redacted>",
      nested: { apiKey: "<redacted>", clientSecret: "<redacted>", accessToken: ["<redacted>", "<redacted>"], X_Auth_Token: "<redacted>" },
      passwordSet: true,
      secretName: "projects/acme/secrets/db",
      token: null,
      count: 3
    })
  })
})

describe("Redaction.scrub: shapes away from the start of a text, and exact boundaries", () => {
  const masked: ReadonlyArray<readonly [string, string, string]> = [
    ["Stripe webhook secret mid-text", "sig ok: whsec_abcdefghijklmnop, next", "sig ok: <redacted>, next"],
    ["sk- key mid-text", "using sk-proj-abcdefghijklmnopqrstuvwx now", "using <redacted> now"],
    ["fine-grained GitHub token mid-text", "push with github_pat_11ABCDEFG0123456789_abcdefghij ok", "push with <redacted> ok"],
    ["classic GitHub token mid-text", "(ghp_abcdefghijklmnopqrstuvwxyz0123456789)", "(<redacted>)"],
    ["Slack tokens of every kind mid-text", "a xoxa-1234567890-abcdefghij b xoxp-1234567890-abcdefghij", "a <redacted> b <redacted>"],
    ["npm token mid-text", "//registry/:_authToken npm_abcdefghijklmnopqrstuvwxyz0123456789 x", "//registry/:_authToken <redacted> x"],
    ["Google API key mid-text", "url?x=1 AIzaSyA1234567890abcdefghijklmnopqrstuv end", "url?x=1 <redacted> end"],
    ["bearer token after two spaces", "Authorization: Bearer  abcDEF123456ghiJKL789", "Authorization: Bearer  <redacted>"],
    ["bearer token after a tab", "Bearer\tabcDEF123456ghiJKL789", "Bearer\t<redacted>"],
    ["password with an @ in a URL", "redis://:p@ss-w0rd@cache:6379/0", "redis://:<redacted>@cache:6379/0"],
    ["query value named pwd in a text", "GET https://db.acme.dev/login?user=ann&pwd=hunter2xyz#top", "GET https://db.acme.dev/login?user=ann&pwd=<redacted>#top"],
    ["query values named pass, session, hmac, credential", "?pass=a1&session=s-99&hmac=beef&X-Goog-Credential=c%2F1", "?pass=<redacted>&session=<redacted>&hmac=<redacted>&X-Goog-Credential=<redacted>"],
    ["query value named sig, salt, dsn", "/v?sig=abc&salt=xyz&sentry_dsn=https%3A%2F%2Fk%40s.io", "/v?sig=<redacted>&salt=<redacted>&sentry_dsn=<redacted>"]
  ]
  for (const [what, input, output] of masked) {
    it(`masks a ${what}`, () => {
      expect(Redaction.scrub(input)).toBe(output)
      expect(Redaction.scrub(Redaction.scrub(input))).toBe(output)
    })
  }

  it("leaves a credential prefix glued to a word, and query values that name no secret, alone", () => {
    for (
      const text of [
        "Xwhsec_abcdefghijklmnop",
        "ask-proj-abcdefghijklmnopqrstuvwx",
        "xgithub_pat_11ABCDEFG0123456789_abcdefghij",
        "axoxb-1234567890-abcdefghij",
        "anpm_abcdefghijklmnopqrstuvwxyz0123456789",
        "https://iam.acme.dev/keys?aws_access_key_id=AKIDEXAMPLE1&key_id=k-1&public_key=pk1&region=eu&page=2",
        "?status_code=500&postcode=12345&passenger=ann"
      ]
    ) expect(Redaction.scrub(text)).toBe(text)
  })

  it("masks every kind of credential shape, any case of the scheme word, at its minimum length", () => {
    const masked: ReadonlyArray<readonly [string, string]> = [
      ["Token abcdefgh", "Token <redacted>"],
      ["bearer abcdefgh", "bearer <redacted>"],
      ["BASIC abcdefgh==", "BASIC <redacted>"],
      ["rk_test_abcdefgh", "<redacted>"],
      ["pk_live_abcdefgh", "<redacted>"],
      ["ASIAIOSFODNN7EXAMPLE", "<redacted>"],
      ["ya29.abcdefghij", "<redacted>"],
      ["ghs_abcdefghijklmnopqrst", "<redacted>"],
      ["gho_abcdefghijklmnopqrst", "<redacted>"],
      ["xoxr-abcdefghij", "<redacted>"],
      ["token=abcd", "token=<redacted>"],
      ["eyJabcdefgh.eyJabcdefgh.abcdefgh", "<redacted>"]
    ]
    for (const [input, output] of masked) expect(Redaction.scrub(input), input).toBe(output)
  })

  it("leaves strings one character short of a shape, or glued to a word, alone", () => {
    for (
      const text of [
        "Bearer abcdefg",
        "Xsk_live_51Habcdefghij",
        "sk_live_abcdefg",
        "xya29.abcdefghij",
        "xAIzaSyA1234567890abcdefghijklmnopqrstuv",
        "xAKIAIOSFODNN7EXAMPLE",
        "AKIAIOSFODNN7EXAMPLEX",
        "aghp_abcdefghijklmnopqrst",
        "ghp_abcdefghijklmnopqrs",
        "xoxb-abcdefghi",
        "npm_abcdefghijklmnopqrstuvwxyz012345678",
        "sk-abcdefghijklmnopqrs",
        "xeyJabcdefgh.eyJabcdefgh.abcdefgh",
        "eyJabcdefgh.eyJabcdefg.abcdefgh",
        "whsec_abcdefg"
      ]
    ) expect(Redaction.scrub(text)).toBe(text)
  })

  it("masks registered secrets of 6 characters or more, and ignores shorter ones", () => {
    Redaction.register("abc123")
    Redaction.register(Redacted.make("xyz12"))
    Redaction.register("")
    expect(Redaction.scrub("v=abc123;")).toBe("v=<redacted>;")
    expect(Redaction.scrub("v=xyz12;")).toBe("v=xyz12;")
    expect(Redaction.scrub("")).toBe("")
  })

  it("ignores a registered value that is not a string (a number would otherwise mask its digits everywhere)", () => {
    Redaction.register(12345678 as unknown as string)
    expect(Redaction.scrub("order 12345678 shipped")).toBe("order 12345678 shipped")
  })
})

describe("Redaction.scrub: key=value pairs in text", () => {
  it("masks the value after every secret key name, with `=` or `:`, quoted or bare", () => {
    const names = [
      "api_key", "api-key", "apikey", "api_secret", "client-secret", "access_token", "refresh_token", "auth_token",
      "id_token", "access_key", "secret_key", "private_key", "password", "passwd", "passphrase", "token", "cookie"
    ]
    for (const name of names) {
      expect(Redaction.scrub(`${name}=v4lue-123`), name).toBe(`${name}=<redacted>`)
      expect(Redaction.scrub(`{"${name}": "v a l"}`), name).toBe(`{"${name}": "<redacted>"}`)
      expect(Redaction.scrub(`${name}: 'v4lue'`), name).toBe(`${name}: '<redacted>'`)
    }
  })

  it("keeps a reference after a bare `secret`, and masks anything else there", () => {
    expect(Redaction.scrub(`{"secret": "projects/p/secrets/db-pass"}`)).toBe(`{"secret": "projects/p/secrets/db-pass"}`)
    expect(Redaction.scrub("secret=db-pass secret: latest")).toBe("secret=db-pass secret: latest")
    // Spaces around the separator, as in a config dump, are still the bare name.
    expect(Redaction.scrub("secret = projects/p/secrets/db-pass")).toBe("secret = projects/p/secrets/db-pass")
    expect(Redaction.scrub(`{"secret": "hunter2xyz"}`)).toBe(`{"secret": "<redacted>"}`)
    expect(Redaction.scrub("secret='letmein'")).toBe("secret='<redacted>'")
    // Only the bare name may hold a reference: these always hold values.
    expect(Redaction.scrub("api_secret=db-pass client_secret: 'db-pass'")).toBe("api_secret=<redacted> client_secret: '<redacted>'")
  })

  it("leaves a value scrubUrl already replaced, and short or literal values, alone", () => {
    expect(Redaction.scrub("https://x.dev/?pwd=redacted&session=redacted")).toBe("https://x.dev/?pwd=redacted&session=redacted")
    expect(Redaction.scrub("token=abc password: true secret=null")).toBe("token=abc password: true secret=null")
  })
})

describe("secret parameter names (shared by URLs and text)", () => {
  const secret = [
    "pwd", "pass", "PASS", "password", "session", "sessionid", "JSESSIONID", "PHPSESSID", "hmac", "credential",
    "X-Amz-Credential", "X-Amz-Signature", "x-goog-signature", "sig", "signature", "key", "apiKey", "api_key", "API-KEY",
    "private_key", "privateKey", "client_secret", "clientSecret", "access_token", "id_token", "refresh-token", "salt",
    "dsn", "auth", "authorization", "cookie", "DB_PASS", "passphrase", "passcode", "code", "jwt", "otp", "credentials"
  ]
  const notSecret = [
    "aws_access_key_id", "keyId", "key_id", "kms_key_id", "public_key", "publicKey", "publishable_key", "pubkey",
    "lookup_keys[0]", "lookup_key", "lookupKeys",
    "region", "page", "redirect_uri", "state", "status_code", "postcode", "passenger", "author", "format", "id", "q"
  ]
  it("matches a secret word anywhere in the name, any case, with any separator", () => {
    for (const name of secret) expect(isSecretName(name), name).toBe(true)
  })
  it("does not match key ids, public keys or names with no secret word", () => {
    for (const name of notSecret) expect(isSecretName(name), name).toBe(false)
  })
  it("scrubUrl masks those query values and userinfo, and keeps the rest of the URL", () => {
    expect(scrubUrl("https://ann:s3cret@db.acme.dev/login?pwd=1&pass=2&session=3&hmac=4&credential=5&region=eu&key_id=k"))
      .toBe(
        "https://redacted@db.acme.dev/login?pwd=redacted&pass=redacted&session=redacted&hmac=redacted&credential=redacted" +
          "&region=eu&key_id=k"
      )
    expect(scrubUrl("https://:only-password@db.acme.dev/")).toBe("https://db.acme.dev/")
    expect(scrubUrl(new URL("https://x.dev/?AccessToken=t&public_key=p"))).toBe("https://x.dev/?AccessToken=redacted&public_key=p")
    // A parsed URL: userinfo alone, a secret after harmless parameters, nothing to mask (its own text, encoding kept).
    expect(scrubUrl(new URL("https://ann:pw@x.dev/a"))).toBe("https://redacted@x.dev/a")
    expect(scrubUrl(new URL("https://:pw@x.dev/a"))).toBe("https://x.dev/a")
    expect(scrubUrl(new URL("https://x.dev/a?page=2&q=a%20b&api_key=k"))).toBe("https://x.dev/a?page=2&q=a+b&api_key=redacted")
    expect(scrubUrl(new URL("https://x.dev/a?page=2&q=a%20b"))).toBe("https://x.dev/a?page=2&q=a%20b")
    // Names are decided once and remembered: the same answer the second time.
    for (const name of ["api_key", "pageToken", "page"]) expect(isSecretName(name)).toBe(isSecretName(name))
    expect([isSecretName("pageToken"), isSecretName("pageToken")]).toEqual([true, true])
    // Not parseable as a URL: the same rules, applied to the text (a password may contain `@`).
    expect(scrubUrl("//ann:p@ss@host/a?DB_PASS=x&page=2 and //bob:pw@other/")).toBe(
      "//redacted@host/a?DB_PASS=redacted&page=2 and //redacted@other/"
    )
  })
})

describe("Redaction.scrubJson: mask values, not the names of resources", () => {
  it("keeps secret references readable under secret, secretName, secretRef and key", () => {
    const refs = {
      refs: [
        { from: "env DB_PASSWORD (container app)", secret: "projects/p/secrets/db-pass", version: "latest" },
        { from: "volume creds", secret: "projects/p/secrets/db-pass/versions/3", version: "3" }
      ],
      secret: "db-pass",
      secretName: "db-pass",
      secretRef: "projects/p/secrets/db-pass",
      secretKeyRef: { secret: "STRIPE_KEY", version: "latest" },
      key: "stripeApiKey",
      dbSecret: "latest",
      arn: { secret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-pass-AbCdEf" }
    }
    expect(Redaction.scrubJson(refs)).toEqual(refs)
  })

  it("masks secret values under those keys, and credential shapes or registered secrets under any key", () => {
    Redaction.register("correct-horse-battery")
    expect(Redaction.scrubJson({
      secret: "hunter2xyz",
      key: "Xk29dfj2kLm",
      refs: [{ secret: "letmein" }, { secret: 12345678 }, { secret: "sk_live_51HabcdefghijklmnopqrstuV" }],
      dbSecret: { value: "s3cr3t!", name: "db-pass" },
      secretName: "whsec_abcdefghijklmnop",
      note: "correct-horse-battery",
      other: { secret: "correct-horse-battery" }
    })).toEqual({
      secret: "<redacted>",
      key: "<redacted>",
      refs: [{ secret: "<redacted>" }, { secret: "<redacted>" }, { secret: "<redacted>" }],
      dbSecret: { value: "<redacted>", name: "db-pass" },
      secretName: "<redacted>",
      note: "<redacted>",
      other: { secret: "<redacted>" }
    })
  })

  it("masks whatever is under keys that only ever hold secret values, with any separator or case", () => {
    const looksLikeAName = "projects/p/secrets/db-pass"
    const keys = [
      "password", "DB_PASSWORD", "token", "X-Auth-Token", "apiKey", "api_key", "API-KEY", "private-key", "private_key",
      "clientSecret", "client_secret", "webhookSecret", "webhook-secret", "authorization", "Authorization", "cookie",
      "passphrase", "pwd", "passwd", "secret_key", "accessKey", "credentials", "credential", "apiSecret", "signingSecret",
      "shared_secret", "consumerSecret", "appSecret", "id_token"
    ]
    const scrubbed = Redaction.scrubJson(Object.fromEntries(keys.map((k) => [k, looksLikeAName])))
    expect(scrubbed).toEqual(Object.fromEntries(keys.map((k) => [k, "<redacted>"])))
    expect(Redaction.scrubJson({ password: { secret: "db-pass", n: 3, list: ["a-b"] }, api_key: 42 })).toEqual({
      password: { secret: "<redacted>", n: "<redacted>", list: ["<redacted>"] },
      api_key: "<redacted>"
    })
  })

  it("reads only a whole `key` as ambiguous, and caps a reference at 255 characters", () => {
    expect(Redaction.scrubJson({ monkey: "Xk29dfj2kLm", keyboard: "Xk29dfj2kLm" })).toEqual({
      monkey: "Xk29dfj2kLm",
      keyboard: "Xk29dfj2kLm"
    })
    const long = `a-${"b".repeat(253)}`
    expect(long).toHaveLength(255)
    expect(Redaction.scrubJson({ secret: long })).toEqual({ secret: long })
    expect(Redaction.scrubJson({ secret: `${long}c` })).toEqual({ secret: "<redacted>" })
  })

  it("decides on long values that are almost names without backtracking (no ReDoS)", () => {
    // With an ambiguous word pattern each of these took exponential time; now they take microseconds (the test
    // timeout is the guard, no timing assertion).
    const nearlyNames = [`${"b".repeat(254)}!`, `${"aB".repeat(127)}!`, `${"a-".repeat(127)}!`, `${"x/".repeat(127)}!`]
    const scrubbed = Redaction.scrubJson(Object.fromEntries(nearlyNames.map((v, i) => [`${"abcd"[i]}Secret`, v])))
    expect(Object.values(scrubbed)).toEqual(nearlyNames.map(() => "<redacted>"))
  })

  it("keeps numbers, booleans, null and empty strings outside secret keys, and ordinary keys' text", () => {
    const value = { count: 3, enabled: true, none: null, blank: "", secret: "", password: "", tokenCount: 2, keyCount: 1 }
    expect(Redaction.scrubJson(value)).toEqual(value)
  })

  it("judges a key by where it sits, however often the same key was seen elsewhere (keys are classified once)", () => {
    // `name` is ordinary text at the top, a reference slot under `secret`, and a secret value under `password`;
    // `key` is a reference slot at the top and under `secret`. Each place keeps its own rule in one pass.
    const value = {
      name: "hunter2xyz",
      key: "db-pass",
      secret: { name: "hunter2xyz", key: "letmein", ref: "db-pass" },
      password: { name: "db-pass", key: "db-pass" },
      again: { name: "hunter2xyz", key: "letmein" }
    }
    expect(Redaction.scrubJson(value)).toEqual({
      name: "hunter2xyz",
      key: "db-pass",
      secret: { name: "<redacted>", key: "<redacted>", ref: "db-pass" },
      password: { name: "<redacted>", key: "<redacted>" },
      again: { name: "hunter2xyz", key: "<redacted>" }
    })
  })

  it("shows a Cloud Run secret reference in all four reports, and masks a secret value next to it", async () => {
    const gate = single(check("gcp.cloud-run.secret-refs", "secret refs", () =>
      Outcome.fail("1 of 2 secret reference(s) would not resolve: db-pass:7 (version 7 does not exist)", {
        observed: {
          refs: [
            { from: "env DB_PASSWORD", secret: "projects/acme/secrets/db-pass", version: "7", ok: false },
            { from: "env API_TOKEN", secret: "projects/acme/secrets/api-token", version: "latest", ok: true }
          ],
          leaked: { secret: "hunter2xyz", password: "projects/acme/secrets/looks-like-a-name" },
          url: "https://db.acme.dev/login?pwd=pwd-value-1&session=session-value-2&hmac=hmac-value-3&pass=pass-value-4"
        }
      })))
    const report = await Runner.runPromise(gate)
    const texts = outputs(report)
    for (const [name, text] of Object.entries({ json: texts.jsonStrings, markdown: texts.markdownDecoded, junit: texts.junitDecoded, console: texts.console })) {
      expect(text, name).toContain("projects/acme/secrets/db-pass")
      expect(text, name).toContain("projects/acme/secrets/api-token")
      for (const leak of ["hunter2xyz", "looks-like-a-name", "pwd-value-1", "session-value-2", "hmac-value-3", "pass-value-4"]) {
        expect(text.includes(leak), `${name} leaks ${leak}`).toBe(false)
      }
    }
  })
})

// ---------------------------------------------------------------------------
// End to end: planted secrets never reach any reporter's output.

const REGISTERED = Redacted.make("hunter2-correct-horse")
const ODD = `zq"Xv<Wk>&Yp|Tm\\Rn`
const STRIPE = "sk_live_51HsecretStripeKeyAbcdefgh"
const TOKEN = "abcDEF123456ghiJKL789"
const TOKEN2 = "zyxWVU987654tsrQPO321"
const PEM_BODY = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"
const PEM = `-----BEGIN RSA PRIVATE KEY-----\n${PEM_BODY}\n-----END RSA PRIVATE KEY-----`
const GH = "ghp_plantedGithubToken0123456789abcd"
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwbGFudGVkIn0.plantedSignatureXyz0123456789"
const PLAIN_PASSWORD = "plain-looking-value-42"
const URL_PASSWORD = "urlPassw0rd-77"

/** The parts of each planted secret whose presence would be a leak. */
const FRAGMENTS = [
  Redacted.value(REGISTERED),
  ODD,
  "HsecretStripeKeyAbcdefgh",
  TOKEN,
  TOKEN2,
  PEM_BODY,
  "plantedGithubToken0123456789abcd",
  "plantedSignatureXyz0123456789",
  PLAIN_PASSWORD,
  URL_PASSWORD
]

const check = (id: string, title: string, run: Parameters<typeof Check.fromAsync>[0]["run"]) =>
  Check.fromAsync({ id, title, surface: "acme.api", category: "security", run })

const secretGate = () =>
  Gate.make({
    name: `launch ${STRIPE}`,
    description: `uses ${Redacted.value(REGISTERED)}`,
    environment: `prod Bearer ${TOKEN}`,
    items: [
      {
        check: check("acme.api.leaky", `title ${GH}`, () =>
          Outcome.fail(`got ${Redacted.value(REGISTERED)} and ${ODD}`, {
            observed: { [`Authorization: Bearer ${TOKEN}`]: PEM, password: PLAIN_PASSWORD, key: REGISTERED },
            expected: `no ${JWT}`,
            remediation: `export STRIPE_KEY=${STRIPE}`,
            docs: `https://admin:${URL_PASSWORD}@docs.acme.dev`
          })),
        tier: "launch-critical",
        owner: `owner ${JWT}`
      },
      {
        check: check("acme.api.throws", "throws", () => {
          throw new Error(`401 from upstream: Authorization: Bearer ${TOKEN2}`)
        }),
        tier: "launch-critical",
        owner: "sre"
      },
      {
        check: check("acme.api.rejects", "rejects with an object", () =>
          Promise.reject({ message: `bad key ${STRIPE}`, apiKey: PLAIN_PASSWORD, secret: REGISTERED, remediation: `rotate ${GH}` })),
        tier: "launch-adjacent",
        owner: "sre"
      },
      {
        check: Check.make({
          id: "acme.api.effect-fails",
          title: "an Effect check fails",
          surface: "acme.api",
          category: "security",
          run: Effect.fail({ _tag: "Auth", message: `denied for ${ODD}`, token: REGISTERED })
        }),
        tier: "launch-adjacent",
        owner: "sre"
      },
      {
        check: check("acme.api.subjects", "subjects", () =>
          Outcome.fromSubjects([
            { subject: `svc ${GH}`, ...Outcome.fail(`svc has ${STRIPE}`, { observed: JWT, remediation: `use ${Redacted.value(REGISTERED)}` }) },
            { subject: "svc-ok", ...Outcome.pass("ok", { evidence: { cookie: "session=abcdef123456" } }) }
          ], { what: "services" })),
        tier: "launch-critical",
        owner: "sre"
      },
      {
        check: check("acme.api.deferred", "deferred", () => Outcome.fail("deferred failure")),
        tier: "launch-critical",
        owner: "sre"
      }
    ],
    deferrals: [{
      check: "acme.api.deferred",
      owner: `owner ${GH}`,
      reason: `waiting on ${STRIPE}`,
      risk: `Bearer ${TOKEN}`,
      followUp: `https://jira:${URL_PASSWORD}@jira.acme.dev/ACME-1`,
      expires: "2026-06-01",
      approvedBy: JWT
    }],
    rollback: {
      "acme.api": {
        procedure: `curl -H "Authorization: Bearer ${TOKEN}" https://api/rollback`,
        killSwitch: `flag with ${Redacted.value(REGISTERED)}`,
        owner: ODD
      },
      "acme.db": { none: `no rollback; ${PEM}` }
    },
    unsupported: [PEM, { case: `case ${GH}`, reason: `reason ${JWT}` }]
  })

const xmlStrings = (xml: string): Array<string> => {
  const out: Array<string> = []
  const walk = (v: unknown): void => {
    if (typeof v === "string") out.push(v)
    else if (Array.isArray(v)) v.forEach(walk)
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        out.push(k)
        walk(x)
      }
    }
  }
  walk(new XMLParser({ ignoreAttributes: false, htmlEntities: true, parseTagValue: false, parseAttributeValue: false }).parse(xml))
  return out
}

const unescapeMarkdown = (md: string): string =>
  md.replace(/<br>/g, "\n").replace(/\\(.)/g, "$1").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(
    /&amp;/g,
    "&"
  )

/**
 * Every reporter's output for a report, raw and decoded (JSON parsed, XML
 * entities resolved, Markdown escapes undone), so a secret cannot hide
 * behind escaping.
 */
const outputs = (report: Report.Report) => {
  const json = JsonReporter.render(report)
  const xml = JUnitReporter.render(report)
  const md = MarkdownReporter.render(report)
  return {
    console: ConsoleReporter.render(report, { verbose: true }),
    consoleColor: ConsoleReporter.render(report, { color: true }),
    json,
    jsonDecoded: JSON.stringify(JSON.parse(json), null, 0).replace(/\\"/g, "\"").replace(/\\\\/g, "\\"),
    jsonStrings: collectJsonStrings(JSON.parse(json)).join("\n"),
    junit: xml,
    junitDecoded: xmlStrings(xml).join("\n"),
    markdown: md,
    markdownDecoded: unescapeMarkdown(md)
  }
}

const collectJsonStrings = (value: unknown): Array<string> =>
  typeof value === "string"
    ? [value]
    : Array.isArray(value)
    ? value.flatMap(collectJsonStrings)
    : value !== null && typeof value === "object"
    ? Object.entries(value).flatMap(([k, v]) => [k, ...collectJsonStrings(v)])
    : []

const expectNoSecrets = (texts: Record<string, string>) => {
  for (const [name, text] of Object.entries(texts)) {
    for (const fragment of FRAGMENTS) {
      expect(text.includes(fragment), `${name} leaks ${fragment}`).toBe(false)
    }
  }
}

describe("no reporter leaks a secret", () => {
  it("masks secrets planted in every field of a real run, error paths included", async () => {
    Redaction.register(REGISTERED)
    Redaction.register(ODD)
    const tty = recorder({ isTTY: true, columns: 500 })
    const plain = recorder({ isTTY: false })
    const ttyProgress = ConsoleReporter.progress(tty.stream)
    const plainProgress = ConsoleReporter.progress(plain.stream)
    const report = await Runner.runPromise(secretGate(), {
      now: new Date("2026-03-01T00:00:00Z"),
      onEvent: (e) => {
        ttyProgress(e)
        plainProgress(e)
      }
    })
    const texts = { ...outputs(report), progressTty: tty.text(), progressPlain: plain.text() }
    expectNoSecrets(texts)
    // The negative control: the masks are there, and the non-secret text around them survived.
    expect(texts.json).toContain("<redacted>")
    expect(texts.console).toContain("401 from upstream: Authorization: Bearer <redacted>")
    expect(texts.markdown).toContain("&lt;redacted&gt;")
    expect(texts.junitDecoded).toContain("export STRIPE_KEY=<redacted>")
    expect(texts.progressPlain).toContain("acme.api.throws")
  })

  it("masks secrets in a report that did not come from the runner (a file, a hand-built report)", async () => {
    const clean = await Runner.runPromise(single(check("acme.api.one", "one", () => Outcome.fail("x", { observed: 1 }))))
    Redaction.register(REGISTERED)
    Redaction.register(ODD)
    const item = clean.items[0]!
    const tampered: Report.Report = {
      ...clean,
      reasons: [`blocked by ${Redacted.value(REGISTERED)}`],
      run: { ...clean.run, interruptReason: `interrupted: Bearer ${TOKEN}`, insecureOrigins: [`https://u:${URL_PASSWORD}@x`] },
      items: [{
        ...item,
        message: `raw ${ODD} and ${STRIPE}`,
        evidence: { [`Bearer ${TOKEN2}`]: PEM, password: PLAIN_PASSWORD, nested: [{ jwt: JWT }] },
        remediation: `use ${GH}`,
        subjects: [{ subject: `s ${GH}`, status: "fail", message: JWT, evidence: { apiKey: PLAIN_PASSWORD } }]
      }]
    }
    expectNoSecrets(outputs(tampered))
    const progress = recorder({ isTTY: false })
    ConsoleReporter.progress(progress.stream)({ type: "finish", index: 0, item: tampered.items[0]!, total: 1 })
    expectNoSecrets({ progress: progress.text() })
  })

  it("masks secrets in the interrupt reason and when the gate's services fail to build", async () => {
    const gate = single(hanging("acme.api.hang", `aborted ${STRIPE}`))
    const controller = new AbortController()
    setTimeout(() => controller.abort(`operator pressed stop; Authorization: Bearer ${TOKEN}`), 20)
    const interrupted = await Runner.runPromise(gate, { signal: controller.signal })
    expect(interrupted.run.interrupted).toBe(true)
    expectNoSecrets(outputs(interrupted))

    const broken = Gate.make({
      name: "broken layer",
      items: [{ check: check("acme.api.x", "x", () => Outcome.pass("ok")), tier: "launch-critical", owner: "sre" }],
      rollback: { "acme.api": { procedure: "x" } },
      layer: Layer.effectContext(Effect.fail(new Error(`cannot build client with key ${STRIPE} and Bearer ${TOKEN2}`)))
    })
    const failed = await Runner.runPromise(broken)
    expect(failed.items[0]!.status).toBe("error")
    expectNoSecrets(outputs(failed))
  })

  it("masks secrets in the JSON reporter's errors", async () => {
    Redaction.register(REGISTERED)
    const report = await Runner.runPromise(Gate.make({ name: "x", items: [] }))
    const messages: Array<string> = []
    const capture = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        messages.push(String(e), (e as Error).message, JSON.stringify(e))
      }
    }
    capture(() => JsonReporter.render({ ...report, verdict: `Bearer ${TOKEN}` } as unknown as Report.Report))
    capture(() => JsonReporter.render({ ...report, gate: { name: 42, secret: STRIPE } } as unknown as Report.Report))
    capture(() => JsonReporter.parse(JSON.stringify({ ...report, verdict: Redacted.value(REGISTERED) })))
    capture(() => JsonReporter.parse(JSON.stringify({ ...report, reasons: [42, GH] , summary: STRIPE})))
    capture(() => JsonReporter.parse(JSON.stringify({ schemaVersion: `v ${JWT}` })))
    capture(() => JsonReporter.parse(`{"token": "${TOKEN}", oops`))
    expect(messages).toHaveLength(18)
    expectNoSecrets(Object.fromEntries(messages.map((m, i) => [`error ${i}`, m])))
  })
})
