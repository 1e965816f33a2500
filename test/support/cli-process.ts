import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'bin', 'apprentice.js');

export interface RunningServer {
  readonly url: string;
  readonly output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start `apprentice <args>` from the build and wait for its ready line ("listening on <url>" by default). */
export async function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  ready: RegExp = /listening on (http:\/\/[^\s]+)/,
  /** The executable to run (default: this checkout's build; e.g. an installed package's). */
  cli: string = CLI,
  /** Longest wait for the ready line, ms (an embedded start recovering PGlite after a SIGKILL on a loaded host is slow). */
  startTimeoutMs = 60_000,
): Promise<RunningServer> {
  const clean = { ...process.env };
  delete clean.DATABASE_URL;
  delete clean.REDIS_URL;
  const child: ChildProcess = spawn(process.execPath, [cli, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within ${startTimeoutMs} ms:\n${out}`)), startTimeoutMs);
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? '');
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      // Exited already (by itself, or killed by a signal: then exitCode stays null).
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill(signal);
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}

/** Run `apprentice <args>` to completion. */
export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = { ...process.env };
  delete clean.DATABASE_URL;
  delete clean.REDIS_URL;
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
