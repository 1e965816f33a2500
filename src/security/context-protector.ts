import { isCryptoError } from './privacy/crypto-error.js';
import { isEncryptedRecord, type EncryptedRecord, type EnvelopeEncryptor } from './privacy/envelope.js';
import type { FieldPolicy } from './privacy/field-policy.js';
import type { Redactor } from './privacy/redact.js';
import { isSubjectRecord, type SubjectEncryptor, type SubjectRecord } from './privacy/subject-keys.js';

/** How one agent's contexts are stored. */
export interface ContextPolicy {
  /** Personal fields and per-type actions (redact, hash, encrypt). Default: every finding redacted. */
  readonly fields?: FieldPolicy;
  /** Encrypt the whole (redacted) context with AES-256-GCM. Default true. */
  readonly encrypt?: boolean;
}

/**
 * A context as stored. `envelope`: under the master keyring (key id in `record.kid`);
 * `subject`: under the subject's own key (erasable); `withheld`: could not be protected
 * (fail closed: nothing of the context is kept). A plain JSON value is a redacted,
 * unencrypted context (`encrypt: false`).
 */
export type StoredContext =
  | { readonly $protected: 'envelope'; readonly record: EncryptedRecord }
  | { readonly $protected: 'subject'; readonly record: SubjectRecord }
  | { readonly $protected: 'withheld'; readonly why: string };

export const isStoredContext = (x: unknown): x is StoredContext =>
  typeof x === 'object' && x !== null && typeof (x as { $protected?: unknown }).$protected === 'string';

export interface ContextProtectorOptions {
  readonly redactor: Redactor;
  /** Whole-context encryption under the master keyring. */
  readonly envelope: EnvelopeEncryptor;
  /** Per-subject encryption (crypto-shredding). Without it, subject contexts use the envelope. */
  readonly subjects?: SubjectEncryptor;
  /** Policy per agent. Default: redact every finding, encrypt the whole context. */
  readonly agentPolicy?: (agent: string) => ContextPolicy | undefined;
  /** Called with the number of findings per protected context (metrics). */
  readonly onProtected?: (agent: string, findings: number) => void;
}

export interface ContextProtector {
  /**
   * The engine's `protectContext` seam (synchronous). A context with a subject must have been
   * `prepare`d (its subject key is loaded asynchronously); otherwise it is withheld.
   */
  protect(agent: string, context: unknown, subject?: string): unknown;
  /**
   * Encrypts `context` for `subjectId` ahead of `protect` (same object). Returns the subject
   * reference (a keyed hash) to hand to the engine instead of the raw subject id.
   */
  prepare(agent: string, context: object, subjectId: string): Promise<string>;
  /** The subject reference (keyed hash) of a subject id. */
  subjectRef(subjectId: string): string;
  /**
   * The context as it was given (after redaction). Throws CryptoError on a wrong or missing
   * master key, SubjectErasedError once the subject was erased.
   */
  reveal(stored: unknown): Promise<unknown>;
}

/**
 * PII redaction then AES-256-GCM envelope encryption of decision contexts, before anything is
 * stored or logged. Fails closed: an error while protecting withholds the context.
 * @example
 * const protector = createContextProtector({ redactor, envelope, subjects, agentPolicy: () => ({ fields: { personal: [{ key: 'name' }] } }) });
 * const engine = new DecisionEngine({ writer, protectContext: protector.protect });
 * const ref = await protector.prepare('code-reviewer', ctx, 'user-42');
 * engine.decide('code-reviewer', 'pr-1', ctx, 'approve', ref);
 */
export function createContextProtector(options: ContextProtectorOptions): ContextProtector {
  const { redactor, envelope, subjects } = options;
  const prepared = new WeakMap<object, { ref: string; stored: StoredContext }>();
  const policyOf = (agent: string): ContextPolicy => options.agentPolicy?.(agent) ?? {};
  const redacted = (agent: string, context: unknown, policy: ContextPolicy): unknown => {
    const r = redactor.redact(context, policy.fields);
    options.onProtected?.(agent, r.findings.length);
    return r.value;
  };
  const subjectRef = (subjectId: string): string => (subjects ? subjects.subjectRef(subjectId) : subjectId);

  const protect = (agent: string, context: unknown, subject?: string): unknown => {
    try {
      if (typeof context === 'object' && context !== null) {
        const p = prepared.get(context);
        if (p !== undefined && (subject === undefined || subject === p.ref)) {
          prepared.delete(context);
          return p.stored;
        }
      }
      if (subject !== undefined && subjects !== undefined)
        return {
          $protected: 'withheld',
          why: 'subject key not loaded: decide through prepare()',
        } satisfies StoredContext;
      const policy = policyOf(agent);
      const value = redacted(agent, context, policy);
      if (policy.encrypt === false) return value;
      return { $protected: 'envelope', record: envelope.encrypt(value) } satisfies StoredContext;
    } catch {
      return { $protected: 'withheld', why: 'protection failed' } satisfies StoredContext;
    }
  };

  return {
    protect,
    subjectRef,
    async prepare(agent, context, subjectId) {
      const ref = subjectRef(subjectId);
      const policy = policyOf(agent);
      const value = redacted(agent, context, policy);
      const stored: StoredContext = subjects
        ? { $protected: 'subject', record: await subjects.encryptForSubject(subjectId, value) }
        : { $protected: 'envelope', record: envelope.encrypt(value) };
      prepared.set(context, { ref, stored });
      return ref;
    },
    async reveal(stored) {
      if (!isStoredContext(stored)) return stored;
      switch (stored.$protected) {
        case 'envelope':
          if (!isEncryptedRecord(stored.record)) return stored;
          return envelope.decrypt(stored.record);
        case 'subject':
          if (!isSubjectRecord(stored.record) || subjects === undefined) return stored;
          return subjects.decryptForSubject(stored.record);
        case 'withheld':
          return stored;
        default:
          return stored;
      }
    },
  };
}

/** Whether an error from `reveal` means the data is unreadable by design or by a key problem. */
export const isRevealError = isCryptoError;
