/** What the redactor finds. Each appears in the replacement, e.g. `[REDACTED:email]`. */
export const PiiType = {
  email: 'email',
  phone: 'phone',
  ipv4: 'ipv4',
  ipv6: 'ipv6',
  creditCard: 'credit_card',
  awsKey: 'aws_key',
  githubToken: 'github_token',
  slackToken: 'slack_token',
  stripeKey: 'stripe_key',
  jwt: 'jwt',
  bearerToken: 'bearer_token',
  privateKey: 'private_key',
  /** A value assigned to a secret-looking name in text (`password=...`, `secret: ...`). */
  password: 'password',
  /** A long string of high Shannon entropy (a token of unknown format). */
  highEntropy: 'high_entropy',
  /** The value of a field with a secret-looking key (`password`, `apiKey`, `authorization`, ...). */
  secretField: 'secret_field',
  /** A field marked personal by the agent definition (JSON path or key name). */
  personal: 'personal',
} as const;
export type PiiType = (typeof PiiType)[keyof typeof PiiType];

export const ALL_PII_TYPES: readonly PiiType[] = Object.values(PiiType);

/**
 * What to do with a finding: `redact` → `[REDACTED:<type>]`; `hash` → `hmac:<hex>` (keyed
 * HMAC-SHA256, stable, so equal values stay joinable); `encrypt` → envelope encryption.
 */
export const RedactionAction = { redact: 'redact', hash: 'hash', encrypt: 'encrypt' } as const;
export type RedactionAction = (typeof RedactionAction)[keyof typeof RedactionAction];

/** A span of a string that holds personal data or a secret. */
export interface PiiMatch {
  readonly type: PiiType;
  readonly start: number;
  readonly end: number;
}
