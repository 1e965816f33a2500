import type { FastifyInstance } from 'fastify';
import type { NewEvent } from '../core/index.js';
import { EventType } from '../core/index.js';
import { ConfigError, ValidationError } from '../core/index.js';
import type { SqlClient } from '../log/index.js';
import type { RouteModule } from '../core/index.js';
import { contractRoute, parseInput } from '../core/index.js';
import { postErase, postRetention, postRotateKey, ReasonBody, RetentionBody, SUBJECT_ID_MAX } from './security-contracts.js';
import { controlEvent, requestActor } from './control-event.js';
import { eraseSubject } from './erasure.js';
import { applyRetention } from './retention.js';
import type { SecurityRuntime } from './security-runtime.js';
import { rotateMasterKey } from './security-keys.js';

export { SUBJECT_ID_MAX } from './security-contracts.js';

export interface SecurityRoutesOptions {
  readonly runtime: SecurityRuntime;
  readonly record: (event: NewEvent) => void;
  /** For retention; when absent `POST /api/v1/retention/apply` answers 400 CONFIG_INVALID. */
  readonly db?: SqlClient | undefined;
  readonly archiveDir: string;
}

/**
 * `POST /api/v1/subjects/{id}/erase`, `POST /api/v1/keys/rotate`, `POST /api/v1/retention/apply`
 * (all admin; see ROUTE_ROLES). Bodies are optional `{reason}` (retention: `{olderThanDays}`).
 */
export function securityRoutes(o: SecurityRoutesOptions): RouteModule {
  return (app: FastifyInstance) => {
    app.route(contractRoute(postErase, async (req) => {
      const id = (req.params as { id?: string }).id ?? '';
      if (id.length === 0 || id.length > SUBJECT_ID_MAX)
        throw new ValidationError('invalid subject id', [
          { path: 'id', message: `1 to ${SUBJECT_ID_MAX} characters` },
        ]);
      const body = parseInput(ReasonBody, req.body ?? {});
      return eraseSubject(id, {
        subjects: o.runtime.subjects,
        record: o.record,
        actor: requestActor(req),
        reason: body.reason,
      });
    }));
    app.route(contractRoute(postRotateKey, async (req) => {
      const body = parseInput(ReasonBody, req.body ?? {});
      const r = await rotateMasterKey(o.runtime.keys);
      o.record(
        controlEvent(
          EventType.KeyRotated,
          'keys-master',
          { before: { activeKeyId: r.before }, after: { activeKeyId: r.after } },
          { actor: requestActor(req), reason: body.reason },
        ),
      );
      return { activeKeyId: r.after, previousKeyId: r.before };
    }));
    app.route(contractRoute(postRetention, async (req) => {
      const body = parseInput(RetentionBody, req.body ?? {});
      if (o.db === undefined) throw new ConfigError('retention needs a SQL event store');
      return applyRetention({
        db: o.db,
        dataClass: body.dataClass,
        olderThanDays: body.olderThanDays,
        archiveDir: o.archiveDir,
        record: o.record,
        actor: requestActor(req),
        reason: body.reason,
      });
    }));
  };
}
