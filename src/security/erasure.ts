import type { NewEvent } from '../core/index.js';
import { EventType } from '../core/index.js';
import type { SubjectEncryptor } from './privacy/subject-keys.js';
import { controlEvent } from './control-event.js';

/** Payload of `SubjectErased`: the subject only as its keyed hash. */
export interface SubjectErasedData {
  readonly subjectRef: string;
  /** False when the subject had no key (nothing was ever encrypted for it, or already erased). */
  readonly keyDestroyed: boolean;
  readonly before: { readonly key: 'present' | 'absent' };
  readonly after: { readonly key: 'absent' };
}

export interface EraseOptions {
  readonly subjects: SubjectEncryptor;
  readonly record: (event: NewEvent) => void;
  readonly actor: string;
  readonly reason?: string | undefined;
}

export const subjectStream = (ref: string): string => `subject-${ref}`;

/**
 * Crypto-shreds a subject: destroys its data key (outside the database), so every copy of its
 * contexts (event log, projections, backups) becomes unreadable; records `SubjectErased`.
 * @example
 * await eraseSubject('user-42', { subjects, record: (e) => apprentice.writer.record(e), actor: 'dpo' });
 */
export async function eraseSubject(subjectId: string, options: EraseOptions): Promise<SubjectErasedData> {
  const subjectRef = options.subjects.subjectRef(subjectId);
  const keyDestroyed = await options.subjects.erase(subjectId);
  const data: SubjectErasedData = {
    subjectRef,
    keyDestroyed,
    before: { key: keyDestroyed ? 'present' : 'absent' },
    after: { key: 'absent' },
  };
  options.record(
    controlEvent(EventType.SubjectErased, subjectStream(subjectRef), data, {
      actor: options.actor,
      reason: options.reason,
    }),
  );
  return data;
}
