import { ConfigError, type FieldIssue } from '../../../core/index.js';
import { DEFAULT_EVENTS_PER_ENTRY } from './packing.js';

export interface ResolvedBusOptions {
  readonly prefix: string;
  readonly maxDeliveries: number;
  readonly eventsPerEntry: number;
}

/** Defaults shared by both buses (see `BusOptions`). */
export const busDefaults: ResolvedBusOptions = {
  prefix: 'apprentice:',
  maxDeliveries: 5,
  eventsPerEntry: DEFAULT_EVENTS_PER_ENTRY,
};

/** Merge options over the defaults (an explicit `undefined` keeps the default) and validate once. */
export function resolveBusOptions(options: {
  readonly prefix?: string | undefined;
  readonly maxDeliveries?: number | undefined;
  readonly eventsPerEntry?: number | undefined;
}): ResolvedBusOptions {
  const resolved: ResolvedBusOptions = {
    prefix: options.prefix ?? busDefaults.prefix,
    maxDeliveries: options.maxDeliveries ?? busDefaults.maxDeliveries,
    eventsPerEntry: options.eventsPerEntry ?? busDefaults.eventsPerEntry,
  };
  const issues: FieldIssue[] = [];
  if (!Number.isInteger(resolved.maxDeliveries) || resolved.maxDeliveries < 1) {
    issues.push({ path: 'maxDeliveries', message: 'must be an integer >= 1' });
  }
  if (!Number.isInteger(resolved.eventsPerEntry) || resolved.eventsPerEntry < 1) {
    issues.push({ path: 'eventsPerEntry', message: 'must be an integer >= 1' });
  }
  if (issues.length > 0) throw new ConfigError('invalid bus options', issues);
  return resolved;
}
