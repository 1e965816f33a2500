/**
 * Generates `pii-corpus.json`: labelled positives (one finding each, in realistic text) and
 * negatives (things that look like data but are not personal: versions, dates, commit SHAs,
 * paths, UUIDs, durations...). Deterministic (seeded), so the committed file is reproducible:
 *   npx tsx src/security/privacy/testing/generate-pii-corpus.ts
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let seed = 0x5eed1234;
/** mulberry32: a tiny seeded PRNG (reproducibility matters here, not quality). */
function rnd(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const chars = (alphabet: string, n: number): string =>
  Array.from({ length: n }, () => pick([...alphabet])).join('');
const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const B62 = DIGITS + UPPER + LOWER;
const B64URL = B62 + '-_';
const HEX = '0123456789abcdef';
/** Random token over `alphabet` that has at least one digit, one upper and one lower letter. */
function token(alphabet: string, n: number): string {
  for (;;) {
    const t = chars(alphabet, n);
    if (/\d/.test(t) && /[A-Z]/.test(t) && /[a-z]/.test(t)) return t;
  }
}

const FIRST = [
  'ada',
  'alan',
  'grace',
  'linus',
  'margaret',
  'jan',
  'anna',
  'piotr',
  'zofia',
  'li',
  'olu',
  'maria',
  'jose',
  'chen',
  'fatima',
];
const LAST = [
  'lovelace',
  'turing',
  'hopper',
  'torvalds',
  'hamilton',
  'kowalski',
  'nowak',
  'wisniewska',
  'wei',
  'okafor',
  'garcia',
];
const DOMAINS = [
  'example.com',
  'example.org',
  'mail.example.co.uk',
  'corp.example.io',
  'uni-warszawa.edu.pl',
  'gmail.com',
  'proton.me',
  'dev.example.net',
];

function email(): string {
  const sep = pick(['.', '_', '', '-', '+']);
  const local =
    sep === '+'
      ? `${pick(FIRST)}+${pick(['ci', 'alerts', 'test'])}`
      : `${pick(FIRST)}${sep}${pick(LAST)}${rnd() < 0.3 ? int(1, 99) : ''}`;
  return `${rnd() < 0.2 ? local.toUpperCase() : local}@${pick(DOMAINS)}`;
}
const d = (n: number): string => chars(DIGITS, n);
const nz = (n: number): string => `${int(2, 9)}${d(n - 1)}`;
function phone(): string {
  return pick([
    () => `+1 ${nz(3)} ${nz(3)} ${d(4)}`,
    () => `+1-${nz(3)}-${nz(3)}-${d(4)}`,
    () => `+1${nz(3)}${nz(3)}${d(4)}`,
    () => `(${nz(3)}) ${nz(3)}-${d(4)}`,
    () => `${nz(3)}-${nz(3)}-${d(4)}`,
    () => `${nz(3)}.${nz(3)}.${d(4)}`,
    () => `+44 20 ${d(4)} ${d(4)}`,
    () => `+44 7700 ${d(6)}`,
    () => `020 ${d(4)} ${d(4)}`,
    () => `07700 ${d(6)}`,
    () => `+48 ${int(5, 8)}${d(2)} ${d(3)} ${d(3)}`,
    () => `${int(5, 8)}${d(2)} ${d(3)} ${d(3)}`,
    () => `+49 30 ${d(8)}`,
    () => `030 ${d(8)}`,
    () => `+33 1 ${d(2)} ${d(2)} ${d(2)} ${d(2)}`,
    () => `0${int(1, 9)} ${d(2)} ${d(2)} ${d(2)} ${d(2)}`,
    () => `+91 ${int(7, 9)}${d(4)} ${d(5)}`,
    () => `+81 3-${d(4)}-${d(4)}`,
    () => `+61 4${d(2)} ${d(3)} ${d(3)}`,
  ])();
}
function ipv4(): string {
  return pick([
    () => `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`,
    () => `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`,
    () => `192.168.${int(0, 255)}.${int(1, 254)}`,
  ])().replace(/^127\./, '128.');
}
function ipv6(): string {
  const g = (): string => chars(HEX, int(1, 4)).replace(/^0+(?=.)/, '');
  return pick([
    () => Array.from({ length: 8 }, g).join(':'),
    () => `2001:db8:${g()}:${g()}::${g()}`,
    () => `fe80::${g()}:${g()}:${g()}:${g()}`,
    () => `2a00:${g()}:${g()}::${g()}:${g()}`,
    () => `::ffff:${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`,
  ])();
}
function luhnComplete(prefix: string, length: number): string {
  let body = prefix + d(length - prefix.length - 1);
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let x = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
    sum += x;
  }
  body += String((10 - (sum % 10)) % 10);
  return body;
}
function card(): string {
  const [prefix, len] = pick([
    ['4', 16],
    ['4', 13],
    ['51', 16],
    ['55', 16],
    ['2221', 16],
    ['34', 15],
    ['37', 15],
    ['6011', 16],
    ['35', 16],
    ['62', 19],
  ] as const);
  const n = luhnComplete(prefix, len);
  const sep = pick(['', ' ', '-']);
  if (sep === '' || len === 13 || len === 19) return n;
  if (len === 15) return [n.slice(0, 4), n.slice(4, 10), n.slice(10)].join(sep);
  return n.match(/.{4}/g)!.join(sep);
}
const b64url = (s: string): string => Buffer.from(s).toString('base64url');
function jwt(): string {
  const header = b64url(JSON.stringify({ alg: pick(['HS256', 'RS256', 'ES256']), typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({
      sub: `user-${d(6)}`,
      email: undefined,
      iat: 1_700_000_000 + int(0, 9_999_999),
      role: pick(['dev', 'admin']),
    }),
  );
  return `${header}.${payload}.${chars(B64URL, pick([43, 86]))}`;
}
function privateKey(): string {
  const kind = pick([
    'RSA PRIVATE KEY',
    'PRIVATE KEY',
    'EC PRIVATE KEY',
    'OPENSSH PRIVATE KEY',
    'ENCRYPTED PRIVATE KEY',
  ]);
  const lines = Array.from({ length: int(3, 8) }, () => chars(B62 + '+/', 64));
  return `-----BEGIN ${kind}-----\n${lines.join('\n')}\n${chars(B62, 20)}==\n-----END ${kind}-----`;
}
const PASSWORDS = (): string =>
  pick([
    () => `${pick(['Summer', 'Winter', 'Dragon', 'Monkey'])}${int(1990, 2030)}!`,
    () => token(B62, int(10, 18)),
    () => `hunter${d(3)}`,
    () => `${pick(LAST)}#${d(4)}`,
  ])();

interface Positive {
  type: string;
  text: string;
  secret: string;
}
const positives: Positive[] = [];
const add = (type: string, secret: string, templates: readonly ((s: string) => string)[]): void => {
  positives.push({ type, secret, text: pick(templates)(secret) });
};
const N = 30;
for (let i = 0; i < N; i++) {
  add('email', email(), [
    (s) => `Reviewer ${s} requested changes on PR #${int(100, 9999)}.`,
    (s) => `Notify <${s}> when the deploy finishes`,
    (s) => `{"author":"${s}","files":${int(1, 40)}}`,
    (s) => `ping ${s}, the build on main is red`,
    (s) => `Signed-off-by: ${pick(FIRST)} <${s}>`,
  ]);
  add('phone', phone(), [
    (s) => `On-call phone: ${s} (call after 22:00 only)`,
    (s) => `Customer asked to be reached at ${s}.`,
    (s) => `tel ${s}; ext none`,
    (s) => `contact: ${s}`,
  ]);
  add('ipv4', ipv4(), [
    (s) => `Request from ${s} was rate limited`,
    (s) => `ssh deploy@${s} -p 22`,
    (s) => `client_ip=${s} status=502`,
    (s) => `X-Forwarded-For: ${s}, 10.0.0.1`,
  ]);
  add('ipv6', ipv6(), [
    (s) => `connection from [${s}]:443 reset`,
    (s) => `client ${s} failed login`,
    (s) => `remote_addr=${s}`,
  ]);
  add('credit_card', card(), [
    (s) => `Payment failed for card ${s} (expired)`,
    (s) => `{"cc":"${s}","amount":"12.50"}`,
    (s) => `user pasted ${s} into the bug report`,
  ]);
  add('aws_key', `${pick(['AKIA', 'ASIA'])}${chars(UPPER + DIGITS, 16)}`, [
    (s) => `export AWS_ACCESS_KEY_ID ${s}`,
    (s) => `found ${s} in config.yml line ${int(1, 300)}`,
    (s) => `aws configure set aws_access_key_id ${s}`,
  ]);
  add(
    'github_token',
    pick([
      () => `${pick(['ghp', 'gho', 'ghs'])}_${chars(B62, 36)}`,
      () => `github_pat_${chars(B62, 22)}_${chars(B62, 59)}`,
    ])(),
    [
      (s) => `git clone https://${s}@github.com/org/repo.git`,
      (s) => `GH token ${s} leaked in CI log`,
      (s) => `use ${s} for the release workflow`,
    ],
  );
  add(
    'slack_token',
    pick([
      () => `xoxb-${d(12)}-${d(13)}-${chars(B62, 24)}`,
      () => `xoxp-${d(12)}-${d(12)}-${d(13)}-${chars(HEX, 32)}`,
    ])(),
    [(s) => `slack bot ${s} posts to #deploys`, (s) => `SLACK ${s}`],
  );
  add('stripe_key', `${pick(['sk_live_', 'sk_test_', 'rk_live_'])}${chars(B62, 24)}`, [
    (s) => `stripe.setKey(${JSON.stringify(s)})`,
    (s) => `charging with ${s} failed`,
  ]);
  add('jwt', jwt(), [
    (s) => `cookie session=${s}; Path=/`,
    (s) => `decoded ${s} but exp was in the past`,
    (s) => `{"id_token_hint":"${s}"}`,
  ]);
  add(
    'bearer_token',
    pick([() => token(B62, int(24, 40)), () => `${token(B64URL, 20)}.${token(B64URL, 16)}`])(),
    [
      (s) => `curl -H "Authorization: Bearer ${s}" https://api.example.com`,
      (s) => `authorization: bearer ${s}`,
      (s) => `Proxy-Authorization: Basic ${s}`,
    ],
  );
  add('private_key', privateKey(), [(s) => `The deploy key is:\n${s}\nplease rotate it`, (s) => `${s}`]);
  const pw = PASSWORDS();
  add('password', pw, [
    (s) => `DB_PASSWORD=${s}`,
    (s) => `password: "${s}"`,
    (s) => `{"username":"svc","password":"${s}"}`,
    (s) => `export API_KEY='${s}'`,
    (s) => `postgres://app:${s}@db.internal:5432/prod`,
    (s) => `client_secret = ${s}`,
    (s) => `--password=${s} --user admin`,
  ]);
  add('high_entropy', pick([() => token(B62, int(24, 48)), () => token(B62 + '+/', int(28, 44)) + '='])(), [
    (s) => `signing with key ${s} (rotated yesterday)`,
    (s) => `session ${s} expired`,
    (s) => `webhook signature mismatch: got ${s}`,
  ]);
}

const sha = (n: number): string => chars(HEX, n);
const uuid = (): string => `${sha(8)}-${sha(4)}-7${sha(3)}-${pick(['8', '9', 'a', 'b'])}${sha(3)}-${sha(12)}`;
const NEGATIVES: readonly [string, () => string][] = [
  [
    'version',
    () =>
      `upgraded vitest from ${int(0, 4)}.${int(0, 30)}.${int(0, 20)} to v${int(1, 9)}.${int(0, 30)}.${int(0, 20)}`,
  ],
  [
    'version',
    () =>
      `node ${int(16, 22)}.${int(0, 20)}.${int(0, 9)}, typescript 5.${int(0, 9)}.${int(2, 4)}-beta.${int(1, 9)}`,
  ],
  [
    'date',
    () =>
      `released on 20${int(10, 29)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`,
  ],
  [
    'date',
    () =>
      `deadline ${String(int(1, 28)).padStart(2, '0')}/${String(int(1, 12)).padStart(2, '0')}/20${int(10, 29)} at ${int(10, 23)}:${int(10, 59)}:${int(10, 59)}`,
  ],
  ['datetime', () => `2024-0${int(1, 9)}-1${int(0, 9)}T${int(10, 23)}:${int(10, 59)}:00.${d(3)}Z`],
  ['commit_sha', () => `fix landed in commit ${sha(40)}`],
  ['commit_sha', () => `cherry-pick ${sha(7)} and ${sha(12)} onto release`],
  ['digest', () => `image sha256:${sha(64)}`],
  ['uuid', () => `decision ${uuid()} recorded for unit ${uuid()}`],
  [
    'path',
    () =>
      `src/${pick(['privacy', 'events', 'decisions'])}/${pick(['redact', 'envelope-store', 'k-anonymity'])}.ts:${int(1, 400)}:${int(1, 80)}`,
  ],
  [
    'path',
    () => `/home/runner/work/detektor/detektor/models/yolov${int(5, 9)}_weights_epoch${int(1, 300)}.onnx`,
  ],
  ['duration', () => `p99 ${int(1, 999)}ms, total ${int(1, 59)}m${int(1, 59)}s, timeout 1h30m`],
  [
    'number',
    () => `processed ${int(1000, 999999)} events in ${int(1, 9)}.${d(2)} s (${int(10, 99)}% cache hits)`,
  ],
  ['number', () => `PR #${int(100, 9999)} closes issue ${int(10000, 99999)}, ${int(1, 40)} files changed`],
  ['host_port', () => `listening on 127.0.0.1:${int(1024, 65535)} and localhost:${int(1024, 65535)}`],
  [
    'identifier',
    () =>
      `${pick(['createEnvelopeEncryptor', 'decideWithShadowLearner', 'AsyncLearningWriterOptions', 'redactConnectionString'])}(${pick(['options', 'ctx'])})`,
  ],
  [
    'k8s_pod',
    () => `pod detektor-coder-${sha(10).replace(/[a-f]/g, (c) => c)}-${chars(LOWER + DIGITS, 5)} restarted`,
  ],
  ['docker_image', () => `FROM node:${int(18, 22)}-alpine${int(3, 3)}.${int(17, 20)}`],
  ['money', () => `cost $${int(1, 9)},${d(3)}.${d(2)} this month`],
  ['timestamp_ms', () => `at ${1_700_000_000_000 + int(0, 99_999_999)} ms epoch`],
  ['mac', () => `iface mac ${Array.from({ length: 6 }, () => sha(2)).join(':')}`],
  [
    'time',
    () => `cron ${int(0, 59)} ${int(0, 23)} * * *, ran at ${int(10, 23)}:${int(10, 59)}:${int(10, 59)}`,
  ],
  [
    'semver_range',
    () => `"zod": "^${int(1, 4)}.${int(0, 9)}.${int(0, 9)}", "pg": "~8.${int(0, 20)}.${int(0, 9)}"`,
  ],
  [
    'prose',
    () =>
      pick([
        'The token bucket refills at 10 per second.',
        'Set the password policy in the admin panel.',
        'Bearer tokens are validated by the gateway.',
        'See RFC 7519 for the JWT format.',
      ]),
  ],
  ['git_remote', () => `git clone git@github.com:${pick(LAST)}/${pick(['detektor', 'apprentice'])}.git`],
  ['sri_hash', () => `"integrity": "sha512-${token(B62 + '+/', 86)}=="`],
  ['data_uri', () => `<img src="data:image/png;base64,${token(B62 + '+/', 60)}==">`],
  [
    'feature_values',
    () =>
      `features: lines_changed=${int(1, 2000)} files=${int(1, 50)} ratio=0.${d(3)} risk=${pick(['low', 'high'])}`,
  ],
];
const negatives: { kind: string; text: string }[] = [];
for (let i = 0; i < 8; i++) for (const [kind, gen] of NEGATIVES) negatives.push({ kind, text: gen() });

const out = fileURLToPath(new URL('./pii-corpus.json', import.meta.url));
writeFileSync(
  out,
  `${JSON.stringify({ generatedBy: 'src/security/privacy/testing/generate-pii-corpus.ts', positives, negatives }, null, 2)}\n`,
);
console.log(`wrote ${positives.length} positives, ${negatives.length} negatives to ${out}`);
