import { createHmac } from 'node:crypto';
import { ConfigError } from '../../core/index.js';
import { detectPii } from './detectors.js';
import type { EnvelopeEncryptor } from './envelope.js';
import { compileRules, formatPath, matchRule, type CompiledRule, type FieldPolicy } from './field-policy.js';
import { PiiType, RedactionAction } from './pii-types.js';

/** Limits hit while walking: the offending node is replaced, never passed through. */
export const LimitType = {
  depth: 'depth_limit',
  size: 'size_limit',
  cycle: 'cycle',
  unreadable: 'unreadable',
} as const;
export type LimitType = (typeof LimitType)[keyof typeof LimitType];

/** One thing that was redacted. Never carries the original value. */
export interface Finding {
  readonly type: PiiType | LimitType;
  /** JSON path of the value (with keys as they appear in the output), e.g. `$.user.notes`. */
  readonly path: string;
  readonly action: RedactionAction;
}

export interface RedactionResult {
  readonly value: unknown;
  readonly findings: readonly Finding[];
}

const DEFAULT_SECRET_KEY =
  /^(?:.*(?:password|passwd|passphrase|secret|apikey|accesskey|privatekey|authtoken|accesstoken|refreshtoken|idtoken|sessiontoken|csrftoken|credentials?)|pwd|token|authorization|auth|cookie|setcookie|xapikey|connectionstring)$/;

export interface RedactorOptions {
  /** Key for the `hash` action (HMAC-SHA256). Required when any action is `hash`. Use ≥ 32 random bytes. */
  readonly hmacKey?: Buffer;
  /** Envelope encryptor for the `encrypt` action. Required when any action is `encrypt`. */
  readonly encryptor?: EnvelopeEncryptor;
  /** Default policy merged under each call's policy. Default: every finding redacted. */
  readonly policy?: FieldPolicy;
  /** Deeper values are replaced by `[REDACTED:depth_limit]`. Default 64. */
  readonly maxDepth?: number;
  /** Longer strings are replaced whole by `[REDACTED:size_limit]`. Default 1,048,576 characters. */
  readonly maxStringLength?: number;
  /**
   * Keys whose values are secrets whatever they look like, tested on the key lower-cased with
   * `_`, `-` and `.` removed. Default: password, secret, token, authorization, cookie, api key, ...
   */
  readonly secretKeys?: RegExp;
  /** High-entropy token minimum length. Default 20. */
  readonly entropyMinLength?: number;
  /** High-entropy threshold in bits/char. Default 3.7. */
  readonly entropyThreshold?: number;
}

export interface Redactor {
  /** Redacts a JSON value (a copy; the input is not modified). Never throws on any input value. */
  redact(value: unknown, policy?: FieldPolicy): RedactionResult;
  /** Redacts one string. */
  redactText(text: string, policy?: FieldPolicy): RedactionResult;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** `enc:` + base64url of the encrypted record, for values encrypted inside text. */
export const ENCRYPTED_TEXT_PREFIX = 'enc:';

function actionsUsed(policy: FieldPolicy | undefined): RedactionAction[] {
  if (policy === undefined) return [];
  return [
    ...Object.values(policy.actions ?? {}),
    ...(policy.defaultAction === undefined ? [] : [policy.defaultAction]),
    ...(policy.personal ?? []).flatMap((r) => (r.action === undefined ? [] : [r.action])),
  ].filter((a): a is RedactionAction => a !== undefined);
}

/**
 * A redactor for decision contexts: finds e-mails, phones, IPs, cards, API keys, tokens,
 * private keys, password assignments, high-entropy strings and personal fields, and
 * redacts, hashes or encrypts each.
 * @example
 * const redactor = createRedactor({ hmacKey });
 * redactor.redact({ note: 'mail ada@example.com', user: { name: 'Ada' } }, {
 *   personal: [{ path: '$.user.name', action: 'hash' }],
 * });
 * // { value: { note: 'mail [REDACTED:email]', user: { name: 'hmac:…' } }, findings: [...] }
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const maxDepth = options.maxDepth ?? 64;
  const maxStringLength = options.maxStringLength ?? 1_048_576;
  const secretKeys = options.secretKeys ?? DEFAULT_SECRET_KEY;
  const detectorOptions = {
    ...(options.entropyMinLength === undefined ? {} : { entropyMinLength: options.entropyMinLength }),
    ...(options.entropyThreshold === undefined ? {} : { entropyThreshold: options.entropyThreshold }),
  };
  const checkPolicy = (policy: FieldPolicy | undefined, where: string): void => {
    const used = actionsUsed(policy);
    for (const a of used) {
      if (!Object.values(RedactionAction).includes(a))
        throw new ConfigError(`${where}: unknown redaction action ${String(a)}`);
    }
    if (used.includes(RedactionAction.hash) && options.hmacKey === undefined) {
      throw new ConfigError(`${where} uses the hash action but the redactor has no hmacKey`);
    }
    if (used.includes(RedactionAction.encrypt) && options.encryptor === undefined) {
      throw new ConfigError(`${where} uses the encrypt action but the redactor has no encryptor`);
    }
  };
  checkPolicy(options.policy, 'redactor policy');
  const baseRules = compileRules(options.policy?.personal);

  const hmac = (s: string): string =>
    `hmac:${createHmac('sha256', options.hmacKey!).update(s).digest('hex')}`;

  const run = (input: unknown, policy: FieldPolicy | undefined): RedactionResult => {
    checkPolicy(policy, 'field policy');
    const rules: CompiledRule[] = [...compileRules(policy?.personal), ...baseRules];
    const actionFor = (type: PiiType | LimitType): RedactionAction => {
      const t = type as PiiType;
      return (
        policy?.actions?.[t] ??
        options.policy?.actions?.[t] ??
        policy?.defaultAction ??
        options.policy?.defaultAction ??
        RedactionAction.redact
      );
    };
    const findings: Finding[] = [];
    const seen = new WeakSet<object>();
    const keys: string[] = []; // original keys: for rule matching
    const outKeys: string[] = []; // keys as written: for finding paths
    const isIndex: boolean[] = [];
    const here = (): string => formatPath(outKeys, isIndex);

    const limit = (type: LimitType): string => {
      findings.push({ type, path: here(), action: RedactionAction.redact });
      return `[REDACTED:${type}]`;
    };

    /** A whole value (personal or secret field) under one action. */
    const wholeValue = (value: unknown, type: PiiType, action: RedactionAction): unknown => {
      findings.push({ type, path: here(), action });
      switch (action) {
        case RedactionAction.redact:
          return `[REDACTED:${type}]`;
        case RedactionAction.hash:
          return hmac(typeof value === 'string' ? value : (safeStringify(value) ?? 'null'));
        case RedactionAction.encrypt:
          try {
            return options.encryptor!.encrypt(value);
          } catch {
            // not serialisable (cycle, bigint): fail closed
            findings[findings.length - 1] = { type, path: here(), action: RedactionAction.redact };
            return `[REDACTED:${type}]`;
          }
      }
    };

    const text = (s: string): string => {
      if (s.length > maxStringLength) return limit(LimitType.size);
      const matches = detectPii(s, detectorOptions);
      if (matches.length === 0) return s;
      let out = '';
      let last = 0;
      for (const m of matches) {
        const action = actionFor(m.type);
        findings.push({ type: m.type, path: here(), action });
        const original = s.slice(m.start, m.end);
        out += s.slice(last, m.start);
        if (action === RedactionAction.redact) out += `[REDACTED:${m.type}]`;
        else if (action === RedactionAction.hash) out += hmac(original);
        else
          out +=
            ENCRYPTED_TEXT_PREFIX +
            Buffer.from(JSON.stringify(options.encryptor!.encrypt(original))).toString('base64url');
        last = m.end;
      }
      return out + s.slice(last);
    };

    const walk = (value: unknown, depth: number): unknown => {
      if (keys.length > 0) {
        const rule = matchRule(rules, keys);
        if (rule !== undefined)
          return wholeValue(value, PiiType.personal, rule.action ?? actionFor(PiiType.personal));
        const key = keys.at(-1)!;
        if (
          isIndex.at(-1) !== true &&
          secretKeys.test(key.toLowerCase().replace(/[-_.\s]/g, '')) &&
          value !== null &&
          value !== ''
        ) {
          if (typeof value === 'string' || typeof value === 'number' || typeof value === 'object') {
            return wholeValue(value, PiiType.secretField, actionFor(PiiType.secretField));
          }
        }
      }
      switch (typeof value) {
        case 'string':
          return text(value);
        case 'number':
        case 'boolean':
        case 'undefined':
          return value;
        case 'bigint':
          return text(value.toString());
        case 'function':
        case 'symbol':
          return undefined;
        case 'object':
          break;
      }
      if (value === null) return null;
      if (depth >= maxDepth) return limit(LimitType.depth);
      if (seen.has(value)) return limit(LimitType.cycle);
      seen.add(value);
      try {
        return walkObject(value, depth);
      } catch {
        return limit(LimitType.unreadable); // throwing getters, revoked proxies, toJSON failures
      } finally {
        seen.delete(value);
      }
    };

    const walkObject = (value: object, depth: number): unknown => {
      if (Array.isArray(value)) {
        const out: unknown[] = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          keys.push(String(i));
          outKeys.push(String(i));
          isIndex.push(true);
          try {
            out[i] = walk(value[i], depth + 1);
          } finally {
            keys.pop();
            outKeys.pop();
            isIndex.pop();
          }
        }
        return out;
      }
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        const replaced: unknown = toJSON.call(value);
        if (replaced !== value) return walk(replaced, depth + 1);
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        if (FORBIDDEN_KEYS.has(key)) continue; // prototype pollution: never copied
        const outKey = uniqueKey(out, text(key));
        keys.push(key);
        outKeys.push(outKey);
        isIndex.push(false);
        try {
          const v = walk((value as Record<string, unknown>)[key], depth + 1);
          if (v !== undefined) out[outKey] = v;
        } finally {
          keys.pop();
          outKeys.pop();
          isIndex.pop();
        }
      }
      return out;
    };

    return { value: walk(input, 0), findings };
  };

  return {
    redact: run,
    redactText: (s, policy) => run(String(s), policy),
  };
}

function uniqueKey(out: Record<string, unknown>, key: string): string {
  if (FORBIDDEN_KEYS.has(key)) key = `${key}_`;
  if (!Object.hasOwn(out, key)) return key;
  let i = 2;
  while (Object.hasOwn(out, `${key}#${i}`)) i++;
  return `${key}#${i}`;
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return '[unserialisable]';
  }
}
