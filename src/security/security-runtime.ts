import { createEnvelopeEncryptor, type EnvelopeEncryptor } from './privacy/envelope.js';
import { createRedactor, type Redactor } from './privacy/redact.js';
import { createSubjectEncryptor, type SubjectEncryptor } from './privacy/subject-keys.js';
import { createContextProtector, type ContextPolicy, type ContextProtector } from './context-protector.js';
import { loadSecurityKeys, type SecurityKeys } from './security-keys.js';

export interface SecurityRuntimeOptions {
  /** apprentice's data directory (keys under `<dataDir>/keys/`). */
  readonly dataDir: string;
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Context policy per agent. Default: redact every finding, encrypt the whole context. */
  readonly agentPolicy?: (agent: string) => ContextPolicy | undefined;
}

/** The keys and the crypto built on them: everything the decision path and erasure need. */
export interface SecurityRuntime {
  readonly keys: SecurityKeys;
  readonly envelope: EnvelopeEncryptor;
  readonly subjects: SubjectEncryptor;
  readonly redactor: Redactor;
  readonly protector: ContextProtector;
}

/**
 * Loads (or creates) the master keys and builds the redactor, envelope and subject
 * encryptors and the context protector. Needs no database, so it can be made before the
 * DecisionEngine (which takes `protectContext: runtime.protector.protect`).
 * @example
 * const security = await createSecurityRuntime({ dataDir: config.dataDir });
 * new DecisionEngine({ writer, protectContext: security.protector.protect });
 */
export async function createSecurityRuntime(options: SecurityRuntimeOptions): Promise<SecurityRuntime> {
  const keys = await loadSecurityKeys({
    dataDir: options.dataDir,
    ...(options.env ? { env: options.env } : {}),
  });
  const envelope = createEnvelopeEncryptor(keys.keyring);
  const subjects = createSubjectEncryptor({
    keyring: keys.keyring,
    store: keys.subjectKeys,
    refSecret: keys.hmacKey,
  });
  const redactor = createRedactor({ hmacKey: keys.hmacKey, encryptor: envelope });
  const protector = createContextProtector({
    redactor,
    envelope,
    subjects,
    ...(options.agentPolicy ? { agentPolicy: options.agentPolicy } : {}),
  });
  return { keys, envelope, subjects, redactor, protector };
}
