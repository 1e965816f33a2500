import { isIPv4, isIPv6 } from 'node:net';
import { luhnValid, shannonEntropy } from './entropy.js';
import { PiiType, type PiiMatch } from './pii-types.js';

/*
 * Pattern detectors for personal data and secrets in free text. Hand-written rather than a
 * library: the JS PII libraries we looked at either need a model/service (presidio) or are
 * regex lists without validation (Luhn, IP parsing) or bounded quantifiers. Every quantifier
 * here is bounded and every pattern is anchored by a look-behind, so the scan stays linear on
 * huge strings (no catastrophic backtracking). Candidates are then validated in code.
 *
 * Deliberate non-findings (documented false-negative trade-offs):
 * - hex-only strings (40-hex commit SHAs, SHA-256 digests, UUIDs) are never "high entropy":
 *   they are everywhere in development agents' contexts and are identifiers, not secrets;
 * - loopback/unspecified addresses (127.0.0.0/8, 0.0.0.0, ::1, ::) are not personal data;
 * - bare digit runs without separators or `+` are not phone numbers (timestamps, ids).
 */

export interface DetectorOptions {
  /** Minimum length of a high-entropy token. Default 20. */
  readonly entropyMinLength?: number;
  /** Minimum Shannon entropy in bits/char of a high-entropy token. Default 3.7. */
  readonly entropyThreshold?: number;
  /** Types to look for. Default: every text type. */
  readonly types?: ReadonlySet<PiiType>;
}

interface Detector {
  readonly type: PiiType;
  readonly re: RegExp;
  /** Cheap pre-check: when it is false the pattern cannot match, and the scan is skipped. */
  readonly hint?: (text: string) => boolean;
  /** The span to redact, or undefined to reject the candidate. Default: the whole match. */
  readonly validate?: (
    m: RegExpExecArray,
    o: ResolvedDetectorOptions,
  ) => readonly [number, number] | undefined;
}

interface ResolvedDetectorOptions {
  readonly entropyMinLength: number;
  readonly entropyThreshold: number;
}

const hasDigitRun = (t: string): boolean => /\d[ ().+-]?\d/.test(t);

const whole = (m: RegExpExecArray): readonly [number, number] => [m.index, m.index + m[0].length];

/** Span of the first defined named group among `names` (needs the `d` flag). */
function groupSpan(m: RegExpExecArray, ...names: string[]): readonly [number, number] | undefined {
  for (const n of names) {
    const span = m.indices?.groups?.[n];
    if (span !== undefined) return [span[0], span[1]];
  }
  return undefined;
}

const PLACEHOLDER_VALUES =
  /^(?:null|undefined|none|true|false|\*+|x+|<[^>]*>|\$\{[^}]*\}|\[redacted[^\]]*\]|hmac:[0-9a-f]+)$/i;

function validatePassword(m: RegExpExecArray): readonly [number, number] | undefined {
  const span = groupSpan(m, 'q', 's', 'v');
  if (span === undefined) return undefined;
  const value = m.input.slice(span[0], span[1]);
  if (value.length < 3 || PLACEHOLDER_VALUES.test(value)) return undefined;
  return span;
}

const CARD_PREFIX = /^(?:4|5|2[2-7]|3|6)/; // Visa, Mastercard/Maestro, Amex/JCB/Diners, Discover/UnionPay

function validateCard(m: RegExpExecArray): readonly [number, number] | undefined {
  const raw = m[0];
  const digits = raw.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19 || !CARD_PREFIX.test(digits) || !luhnValid(digits))
    return undefined;
  const seps = new Set(raw.replace(/\d/g, ''));
  if (seps.size > 1) return undefined;
  return whole(m);
}

function validateIpv4(m: RegExpExecArray): readonly [number, number] | undefined {
  const ip = m[0];
  if (!isIPv4(ip) || ip.startsWith('127.') || ip === '0.0.0.0') return undefined;
  return whole(m);
}

function validateIpv6(m: RegExpExecArray): readonly [number, number] | undefined {
  const ip = m[0];
  if (!isIPv6(ip) || /^(?:0{0,4}:){2,7}0{0,4}1?$/.test(ip)) return undefined; // ::, ::1 and spelled-out forms
  if (!/[0-9a-fA-F]{1,4}:[0-9a-fA-F]{0,4}:/.test(ip) && !ip.includes('::')) return undefined;
  return whole(m);
}

/** Phone number shapes; candidates that only look like numbers (dates, versions, counts) are rejected. */
function phoneShapeOk(s: string): boolean {
  const digits = s.replace(/\D/g, '');
  const plus = s.startsWith('+');
  if (plus) return digits.length >= 8 && digits.length <= 15;
  const parens = s.includes('(');
  const groups = s
    .replace(/[()]/g, ' ')
    .trim()
    .split(/[ .-]+/);
  if (groups.length < 2 || digits.length < 9 || digits.length > 12) return false;
  const seps = new Set(s.replace(/[\d()]/g, ''));
  seps.delete(' ');
  if (seps.size > 1 && !parens) return false;
  const lens = groups.map((g) => g.length).join('-');
  const first = groups[0] ?? '';
  if (s.includes('.')) return lens === '3-3-4' && /^[2-9]/.test(first); // 555.123.4567 only
  if (lens === '3-3-4' && /^[2-9]/.test(first)) return true; // NANP
  if (parens) return true; // (0)20 7946 0958, (555) 123-4567
  if (first.startsWith('0') && first.length >= 2) return true; // national trunk prefix: UK, FR, DE, PL landlines
  if (lens === '3-3-3' && /^[4-8]/.test(first)) return true; // PL mobile 601 234 567
  return false;
}

function validatePhone(m: RegExpExecArray): readonly [number, number] | undefined {
  // the greedy candidate may have swallowed trailing numbers ("555-123-4567 2 times"): try shorter prefixes
  let s = m[0];
  for (;;) {
    if (phoneShapeOk(s)) return [m.index, m.index + s.length];
    const cut = s.search(/[ .-]\d+$/);
    if (cut <= 0) return undefined;
    s = s.slice(0, cut);
  }
}

function validateHighEntropy(
  m: RegExpExecArray,
  o: ResolvedDetectorOptions,
): readonly [number, number] | undefined {
  const token = m[0].replace(/=+$/, '');
  if (/^sha(?:1|256|384|512)-/.test(token)) return undefined; // subresource-integrity hashes are public
  if (m.input.slice(Math.max(0, m.index - 7), m.index) === 'base64,') return undefined; // data: URI content
  if (token.length < o.entropyMinLength) return undefined;
  if (!/[0-9]/.test(token) || !/[A-Za-z]/.test(token)) return undefined;
  if (/^[0-9a-fA-F-]+$/.test(token)) return undefined; // commit SHAs, digests, UUIDs: identifiers, not secrets
  // path- or identifier-like: several separator-delimited segments, each a plain word or number
  const parts = token.split(/[/_-]/);
  if (parts.length >= 3 && parts.every((p) => /^(?:[A-Za-z]?[a-z]*\d*)$/.test(p))) return undefined;
  if (shannonEntropy(token) < o.entropyThreshold) return undefined;
  // mixed character classes: random tokens mix upper, lower and digits
  const classes = Number(/[a-z]/.test(token)) + Number(/[A-Z]/.test(token)) + Number(/[0-9]/.test(token));
  if (classes < 3 && token.length < 32) return undefined;
  return whole(m);
}

const KEYWORDS =
  'password|passwd|pwd|passphrase|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|auth[_-]?token|access[_-]?token|refresh[_-]?token|token|credentials?';

/** In priority order: on overlap, the earlier detector wins. */
const DETECTORS: readonly Detector[] = [
  {
    type: PiiType.privateKey,
    hint: (t) => t.includes('PRIVATE KEY'),
    re: /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  {
    type: PiiType.jwt,
    hint: (t) => t.includes('eyJ'),
    re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,8192}\.eyJ[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,8192}/g,
  },
  {
    type: PiiType.awsKey,
    re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
  },
  {
    type: PiiType.githubToken,
    hint: (t) => t.includes('gh') || t.includes('github_pat_'),
    re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g,
  },
  {
    type: PiiType.slackToken,
    hint: (t) => t.includes('xox') || t.includes('hooks.slack.com'),
    re: /(?<![A-Za-z0-9])(?:xox[abposre]-[A-Za-z0-9-]{10,250}|https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/]{20,120})/g,
  },
  {
    type: PiiType.stripeKey,
    hint: (t) => t.includes('_live_') || t.includes('_test_') || t.includes('k_') || t.includes('whsec_'),
    re: /(?<![A-Za-z0-9_])(?:sk|rk|whsec)_(?:(?:live|test)_)?[A-Za-z0-9]{16,247}(?![A-Za-z0-9])/g,
  },
  {
    type: PiiType.bearerToken,
    hint: (t) => /bearer|basic/i.test(t),
    re: /\b(?:Bearer|Basic)[ \t]{1,8}(?<v>[A-Za-z0-9._~+/-]{8,4096}=*)/dgi,
    validate: (m) => {
      const span = groupSpan(m, 'v');
      return span !== undefined && /[0-9._~+/=-]/.test(m.input.slice(span[0], span[1])) ? span : undefined;
    },
  },
  {
    type: PiiType.password,
    hint: (t) => t.includes('://'),
    re: /\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/]{1,128}:(?<v>[^\s@/]{1,256})@/dgi,
    validate: (m) => groupSpan(m, 'v'),
  },
  {
    type: PiiType.password,
    hint: (t) => t.includes('=') || t.includes(':'),
    re: new RegExp(
      `(?<![A-Za-z0-9_.-])[A-Za-z0-9_.-]{0,40}?(?:${KEYWORDS})["']?[ \\t]{0,8}[:=][ \\t]{0,8}(?:"(?<q>[^"\\r\\n]{1,512})"|'(?<s>[^'\\r\\n]{1,512})'|(?<v>[^\\s"',;&}\\])]{1,512}))`,
      'dgi',
    ),
    validate: validatePassword,
  },
  {
    type: PiiType.email,
    hint: (t) => t.includes('@'),
    re: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z]{2,24}(?![A-Za-z0-9-])/g,
    validate: (m) => (/^git@/i.test(m[0]) ? undefined : whole(m)), // git@host:org/repo is an SSH remote, not a person
  },
  {
    type: PiiType.creditCard,
    hint: hasDigitRun,
    re: /(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d])/g,
    validate: validateCard,
  },
  {
    type: PiiType.ipv6,
    hint: (t) => t.includes(':'),
    re: /(?<![A-Za-z0-9:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![A-Za-z0-9:])/g,
    validate: validateIpv6,
  },
  {
    type: PiiType.ipv4,
    hint: (t) => t.includes('.'),
    re: /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w|\.\d)/g,
    validate: validateIpv4,
  },
  {
    type: PiiType.phone,
    hint: hasDigitRun,
    re: /(?<![\w+./-])(?:\+\d{7,15}|(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,5}\)[ .-]?)?\d{1,5}(?:[ .-]\d{1,8}){0,5})(?![\w/]|[.-]\d)/g,
    validate: validatePhone,
  },
  {
    type: PiiType.highEntropy,
    re: /(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,4096}=*/g,
    validate: validateHighEntropy,
  },
];

/** Every text PII type a detector exists for. */
export const TEXT_PII_TYPES: readonly PiiType[] = [...new Set(DETECTORS.map((d) => d.type))];

/**
 * Finds personal data and secrets in a string: non-overlapping spans sorted by start.
 * @example
 * detectPii('mail ada@example.com'); // [{ type: 'email', start: 5, end: 20 }]
 */
export function detectPii(text: string, options: DetectorOptions = {}): PiiMatch[] {
  const o: ResolvedDetectorOptions = {
    entropyMinLength: options.entropyMinLength ?? 20,
    entropyThreshold: options.entropyThreshold ?? 3.7,
  };
  const covered = new Uint8Array(text.length);
  const found: PiiMatch[] = [];
  for (const d of DETECTORS) {
    if (options.types !== undefined && !options.types.has(d.type)) continue;
    if (d.hint !== undefined && !d.hint(text)) continue;
    const re = d.re; // exec is synchronous and validators do not call detectPii: resetting lastIndex is enough
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const span = d.validate ? d.validate(m, o) : whole(m);
      if (span === undefined || span[1] <= span[0]) continue;
      let free = true;
      for (let i = span[0]; i < span[1]; i++) {
        if (covered[i] === 1) {
          free = false;
          break;
        }
      }
      if (!free) continue;
      covered.fill(1, span[0], span[1]);
      found.push({ type: d.type, start: span[0], end: span[1] });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}
