import type { FastifyError, FastifyReply } from 'fastify';
import { docsBaseUrl } from '../docs-url.js';
import { ErrorCode, isApprenticeError, type FieldIssue } from '../errors.js';

/** RFC 9457 problem details, with apprentice's stable `code`. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly errors?: readonly FieldIssue[];
}

const STATUS: Readonly<Record<string, number>> = {
  [ErrorCode.VALIDATION]: 400,
  [ErrorCode.CONFIG]: 400,
  [ErrorCode.MODEL_INVALID]: 400,
  [ErrorCode.UNAUTHORIZED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.CONFLICT]: 409,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.INTEGRITY]: 422,
  [ErrorCode.CRYPTO]: 422,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.CLOSED]: 503,
  [ErrorCode.INTERNAL]: 500,
};

const TITLE: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Codes the HTTP edge answers beside the `ErrorCode` catalogue (framework and routing errors). */
export const EDGE_PROBLEM_CODES: Readonly<Record<string, number>> = {
  INVALID_JSON: 400,
  INVALID_CONTENT_LENGTH: 400,
  ROUTE_NOT_FOUND: 404,
  UNSUPPORTED_MEDIA_TYPE: 415,
};

/** The HTTP status of a problem code (`VALIDATION_FAILED` → 400...), or undefined for an unknown code. */
export const problemStatus = (code: string): number | undefined => STATUS[code] ?? EDGE_PROBLEM_CODES[code];

/** The problem's `type`: its row in docs/problems.md (anchor: the code in lower case). */
export const problemTypeUrl = (code: string): string => `${docsBaseUrl()}/problems.md#${code.toLowerCase()}`;

export function problem(status: number, code: string, detail?: string, errors?: readonly FieldIssue[]): Problem {
  return {
    type: problemTypeUrl(code),
    title: TITLE[status] ?? 'Error',
    status,
    code,
    ...(detail !== undefined ? { detail } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Map any error to a problem. Internal errors never leak their message. */
export function toProblem(err: unknown): Problem {
  if (isApprenticeError(err)) {
    const status = STATUS[err.code] ?? 500;
    const issues = (err as { issues?: readonly FieldIssue[] }).issues;
    return problem(status, err.code, status === 500 ? 'internal error' : err.message, issues);
  }
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem(400, 'INVALID_JSON', 'request body is not valid JSON', [{ path: '', message: fe.message ?? 'invalid JSON' }]);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem(413, ErrorCode.PAYLOAD_TOO_LARGE, 'request body is larger than the limit');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem(415, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem(400, 'INVALID_CONTENT_LENGTH', 'content-length does not match the body');
    default:
      break;
  }
  // secure-json-parse refuses __proto__ / constructor.prototype keys.
  if (err instanceof SyntaxError || /prototype|__proto__/i.test(fe.message ?? '')) {
    return problem(400, 'INVALID_JSON', 'request body is not valid JSON or contains forbidden keys');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return problem(fe.statusCode, fe.code ?? 'BAD_REQUEST', fe.message);
  }
  return problem(500, ErrorCode.INTERNAL, 'internal error');
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.status(p.status).type('application/problem+json').send(p);
}
