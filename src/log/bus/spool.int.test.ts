import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../core/events.js';
import { createSpool, encodeSpoolLine } from './spool.js';
import { testEvent } from './testing/bus-contract.js';

// Filesystem tier: each test gets its own temporary directory.
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'apprentice-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const batch = (b: number, size = 3): NewEvent[] => Array.from({ length: size }, (_, i) => testEvent(b * 10 + i));
const ns = (batches: readonly (readonly NewEvent[])[]): number[] =>
  batches.flatMap((events) => events.map((e) => (e.data as { n: number }).n));
const collect = (): { published: NewEvent[][]; publish: (events: readonly NewEvent[]) => Promise<void> } => {
  const published: NewEvent[][] = [];
  return { published, publish: async (events) => void published.push([...events]) };
};

describe('spool', () => {
  it('replays batches in order and is empty afterwards', async () => {
    const spool = createSpool({ dir: join(dir, 'nested') });
    expect(await spool.size()).toEqual({ batches: 0, events: 0, bytes: 0 });
    for (let b = 0; b < 3; b++) await spool.append(batch(b));
    await spool.append([]);
    const size = await spool.size();
    expect(size).toMatchObject({ batches: 3, events: 9 });
    expect(size.bytes).toBeGreaterThan(0);
    const { published, publish } = collect();
    expect(await spool.drain(publish)).toEqual({ batches: 3, events: 9, skipped: 0 });
    expect(ns(published)).toEqual(ns([batch(0), batch(1), batch(2)]));
    expect(await spool.size()).toEqual({ batches: 0, events: 0, bytes: 0 });
    expect(await readdir(join(dir, 'nested'))).toEqual([]);
    expect(await spool.drain(publish)).toEqual({ batches: 0, events: 0, skipped: 0 });
  });

  it('skips a line torn by a crash and keeps the batches appended after the restart', async () => {
    const before = createSpool({ dir });
    await before.append(batch(0));
    await before.append(batch(1));
    const torn = encodeSpoolLine(batch(2));
    await appendFile(join(dir, 'spool.ndjson'), torn.slice(0, torn.length / 2)); // the crash
    const after = createSpool({ dir });
    await after.append(batch(3));
    const { published, publish } = collect();
    expect(await after.drain(publish)).toEqual({ batches: 3, events: 9, skipped: 1 });
    expect(ns(published)).toEqual(ns([batch(0), batch(1), batch(3)]));
  });

  it('keeps what could not be published and resumes after the last published batch', async () => {
    const spool = createSpool({ dir, replayEvents: 1 });
    for (let b = 0; b < 5; b++) await spool.append(batch(b));
    const published: NewEvent[][] = [];
    let up = 2;
    const flaky = async (events: readonly NewEvent[]): Promise<void> => {
      if (up-- <= 0) throw new Error('still down');
      published.push([...events]);
    };
    await expect(spool.drain(flaky)).rejects.toThrow('still down');
    expect(await spool.size()).toMatchObject({ batches: 3, events: 9 });
    await spool.append(batch(5)); // arrives while the first drain's file is still pending
    up = Infinity;
    expect(await spool.drain(flaky)).toEqual({ batches: 4, events: 12, skipped: 0 });
    expect(ns(published)).toEqual(ns([0, 1, 2, 3, 4, 5].map((b) => batch(b))));
  });

  it('finishes a drain interrupted by a crash before newer batches', async () => {
    // What a process that crashed after publishing 1 of 3 drained batches leaves behind.
    await writeFile(join(dir, 'spool.draining.ndjson'), [0, 1, 2].map((b) => encodeSpoolLine(batch(b))).join(''));
    await writeFile(join(dir, 'spool.draining.pos'), '1');
    await writeFile(join(dir, 'spool.ndjson'), encodeSpoolLine(batch(3)));
    const spool = createSpool({ dir });
    expect(await spool.size()).toMatchObject({ batches: 3, events: 9 });
    const { published, publish } = collect();
    expect(await spool.drain(publish)).toEqual({ batches: 3, events: 9, skipped: 0 });
    expect(ns(published)).toEqual(ns([batch(1), batch(2), batch(3)]));
  });

  it('loses no batch appended while a drain is running', async () => {
    const spool = createSpool({ dir, replayEvents: 1 });
    for (let b = 0; b < 3; b++) await spool.append(batch(b));
    const published: NewEvent[][] = [];
    const appends: Promise<void>[] = [];
    let b = 3;
    const publish = async (events: readonly NewEvent[]): Promise<void> => {
      published.push([...events]);
      if (b < 6) appends.push(spool.append(batch(b++)));
    };
    const [first, same] = await Promise.all([spool.drain(publish), spool.drain(publish)]);
    expect(same).toBe(first);
    await Promise.all(appends);
    await spool.drain(publish);
    expect(ns(published)).toEqual(ns([0, 1, 2, 3, 4, 5].map((i) => batch(i))));
  });

  it('joins consecutive small batches into one publish, in order, and notes progress per publish', async () => {
    const spool = createSpool({ dir, replayEvents: 7 });
    for (let b = 0; b < 5; b++) await spool.append(batch(b)); // 3 events each
    const { published, publish } = collect();
    expect(await spool.drain(publish)).toEqual({ batches: 5, events: 15, skipped: 0 });
    // 7 events at most, a batch never split: [0,1], [2,3], [4].
    expect(published.map((p) => p.length)).toEqual([6, 6, 3]);
    expect(ns(published)).toEqual(ns([0, 1, 2, 3, 4].map((b) => batch(b))));
    expect(await spool.size()).toMatchObject({ batches: 0, events: 0 });
  });

  it('a failed joined publish is replayed whole at the next drain (at-least-once, nothing skipped)', async () => {
    const spool = createSpool({ dir, replayEvents: 6 });
    for (let b = 0; b < 4; b++) await spool.append(batch(b));
    const published: NewEvent[][] = [];
    let up = 1;
    const flaky = async (events: readonly NewEvent[]): Promise<void> => {
      if (up-- <= 0) throw new Error('still down');
      published.push([...events]);
    };
    await expect(spool.drain(flaky)).rejects.toThrow('still down');
    expect(await spool.size()).toMatchObject({ batches: 2, events: 6 });
    up = Infinity;
    expect(await spool.drain(flaky)).toEqual({ batches: 2, events: 6, skipped: 0 });
    expect(ns(published)).toEqual(ns([0, 1, 2, 3].map((b) => batch(b))));
  });
});
