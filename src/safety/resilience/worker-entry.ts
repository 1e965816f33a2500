/**
 * Entry of each worker of the pool (see worker-pool.ts): imports the handler module named in
 * `workerData.handlerModule` and answers each `{ id, task }` with `{ id, ok, value | error }`.
 * A handler that throws or rejects is a task error, not a crash; the worker keeps serving.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('worker-entry must run inside a worker thread');
const { handlerModule } = workerData as { handlerModule: string };
const mod = (await import(handlerModule)) as { handle?: (task: unknown) => unknown };
const handle = mod.handle;
if (typeof handle !== 'function')
  throw new Error(`handler module ${handlerModule} does not export a handle(task) function`);

const reply = (msg: WorkerReply): void => {
  try {
    port.postMessage(msg);
  } catch (error) {
    // e.g. a result that cannot be cloned.
    port.postMessage({
      type: 'result',
      id: msg.type === 'result' ? msg.id : -1,
      ok: false,
      error: describe(error),
    });
  }
};

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

port.on('message', (msg: WorkerRequest) => {
  Promise.resolve()
    .then(() => handle(msg.task))
    .then(
      (value) => reply({ type: 'result', id: msg.id, ok: true, value }),
      (error: unknown) => reply({ type: 'result', id: msg.id, ok: false, error: describe(error) }),
    );
});
reply({ type: 'ready' });
