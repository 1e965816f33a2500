/** Messages between the pool (main thread) and a worker. */
export interface WorkerRequest {
  readonly id: number;
  readonly task: unknown;
}

export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly ok: false;
      readonly error: { name: string; message: string };
    };
