/** Handler module for worker-pool tests: one op per fault. Not part of the build. */
export type TestTask =
  | { op: 'echo'; value: unknown }
  | { op: 'spin'; ms: number }
  | { op: 'hang' }
  | { op: 'oom' }
  | { op: 'throw'; message: string }
  | { op: 'exit' }
  | { op: 'sleep'; ms: number };

export async function handle(task: TestTask): Promise<unknown> {
  switch (task.op) {
    case 'echo':
      return task.value;
    case 'spin': {
      const end = performance.now() + task.ms;
      let x = 0;
      while (performance.now() < end) x++;
      return x;
    }
    case 'hang':
      for (;;) {
        // CPU-bound and deaf to signals: only terminate() stops it.
      }
    case 'oom': {
      const keep: number[][] = [];
      for (;;) keep.push(new Array<number>(1_000_000).fill(keep.length));
    }
    case 'throw':
      throw new Error(task.message);
    case 'exit':
      process.exit(3);
      break;
    case 'sleep':
      await new Promise((r) => setTimeout(r, task.ms));
      return 'slept';
  }
}
