import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EventType, type NewEvent, type StoredEvent } from '../../core/index.js';
import { NotFoundError, ValidationError } from '../../core/index.js';
import { uuidv7 } from '../../core/index.js';
import { START, type Cursor, type EventStore } from '../../log/index.js';
import {
  modelFromArtifact,
  modelFromOnnx,
  parseArtifact,
  sha256,
  verifyDigest,
  type JsonArtifact,
  type LoadedModel,
  type ModelFormat,
  type OnnxMeta,
} from './model-artifact.js';
import type { ArtifactStore } from './artifacts/artifact-store.js';
import { createFsArtifactStore } from './artifacts/fs-artifact-store.js';
import { ALIAS_RE, formatModelUri, parseModelUri, type ModelRef } from './model-uri.js';

const REGISTRY_EVENTS = [EventType.ModelVersionRegistered, EventType.ModelAliasMoved];

/** Where a version came from: the events it learned from and the feature layout it expects. */
export interface Lineage {
  readonly specHash: string;
  /** Event cursors (`"<txid>-<position>"`) of the first and last event trained on. */
  readonly fromCursor?: string;
  readonly toCursor?: string;
  readonly samples?: number;
  /** e.g. `trainer`, `upload`, `onnx:<origin>`. */
  readonly source?: string;
  /** The version this one continued training from. */
  readonly parentVersion?: number;
}

/** One immutable version of an agent's model (payload of `ModelVersionRegistered`). */
export interface ModelVersion {
  readonly agent: string;
  readonly version: number;
  readonly format: ModelFormat;
  /**
   * Artifact key in the artifact store: its content address `sha256/<hex>` (versions registered
   * before artifacts were content-addressed keep their `<agent>/v<n>.<ext>` path).
   */
  readonly file: string;
  readonly sha256: string;
  readonly size: number;
  readonly specHash: string;
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly lineage: Lineage;
  readonly onnx?: OnnxMeta;
  readonly createdAt: string;
}

/** Payload of `ModelAliasMoved`: kept forever, so the history of every alias can be read back. */
export interface AliasMove {
  readonly agent: string;
  readonly alias: string;
  readonly from: number | null;
  readonly to: number;
  /** True when the alias moved to an older version than it pointed at. */
  readonly rollback: boolean;
  readonly actor: string;
  readonly reason: string;
  readonly at: string;
}

export type RegisterInput =
  | { readonly format: 'learner' | 'reward'; readonly artifact: JsonArtifact }
  | { readonly format: 'onnx'; readonly bytes: Uint8Array; readonly meta: OnnxMeta };

export interface RegisterOptions {
  readonly metrics?: Readonly<Record<string, number | null>>;
  readonly lineage?: Omit<Lineage, 'specHash'>;
  readonly actor?: string;
}

export interface ModelRegistryOptions {
  /**
   * Local directory, e.g. `<dataDir>/models`: the artifacts themselves with the default
   * filesystem store, otherwise a local cache of verified artifacts that worker threads load.
   * Required.
   */
  readonly dir: string;
  /** Where artifacts live. Default: the filesystem under `dir`. */
  readonly artifacts?: ArtifactStore;
  /** Where registry events go (the writer). Without one, state stays in memory. */
  readonly sink?: { record(event: NewEvent): void };
  readonly now?: () => number;
}

interface AgentModels {
  readonly versions: ModelVersion[];
  readonly aliases: Map<string, number>;
  readonly history: AliasMove[];
}

/**
 * The model registry (MLflow-style, but alias history is kept): per agent, immutable
 * versions whose artifacts live under `dir` with their sha256 recorded, and movable aliases.
 * Loading verifies the digest: a corrupt or swapped file is refused (`INTEGRITY_VIOLATION`),
 * a malformed one too (`MODEL_INVALID`).
 * @example
 * const registry = new ModelRegistry({ dir: '.apprentice/models', sink: apprentice.writer });
 * const v = await registry.register('debugger', { format: 'learner', artifact }, { metrics: { accuracy: 0.91 } });
 * registry.setAlias('debugger', 'shadow', v.version, { actor: 'trainer', reason: 'new best' });
 * const model = await registry.load('models:/debugger@shadow');
 */
export class ModelRegistry {
  readonly dir: string;
  readonly artifacts: ArtifactStore;
  readonly #sink: ModelRegistryOptions['sink'];
  readonly #now: () => number;
  readonly #agents = new Map<string, AgentModels>();
  #listeners: ((m: AliasMove) => void)[] = [];
  /** Ids of alias moves already applied (made here, or read back), so none is applied twice. Bounded. */
  readonly #appliedMoves = new Set<string>();

  constructor(options: ModelRegistryOptions) {
    this.dir = options.dir;
    this.artifacts = options.artifacts ?? createFsArtifactStore(options.dir);
    this.#sink = options.sink;
    this.#now = options.now ?? Date.now;
  }

  /** Store the artifact (content-addressed, so never overwriting) and record a new immutable version. */
  async register(agent: string, input: RegisterInput, options: RegisterOptions = {}): Promise<ModelVersion> {
    parseModelUri(`models:/${agent}/1`); // validates the agent name
    let bytes: Uint8Array;
    let specHash: string;
    if (input.format === 'onnx') {
      bytes = input.bytes;
      const m = await modelFromOnnx(bytes, input.meta); // refuse a file that cannot serve
      specHash = m.specHash;
      await m.close();
    } else {
      if (input.artifact.format !== input.format) throw new ValidationError('artifact format mismatch', [{ path: 'format', message: `artifact is ${input.artifact.format}` }]);
      bytes = Buffer.from(JSON.stringify(input.artifact));
      specHash = modelFromArtifact(parseArtifact(Buffer.from(bytes).toString('utf8'))).specHash;
    }
    const models = this.#models(agent);
    const version = (models.versions[models.versions.length - 1]?.version ?? 0) + 1;
    const stored = await this.artifacts.put(bytes);
    const file = stored.key;
    const mv: ModelVersion = {
      agent,
      version,
      format: input.format,
      file,
      sha256: sha256(bytes),
      size: bytes.byteLength,
      specHash,
      metrics: options.metrics ?? {},
      lineage: { ...options.lineage, specHash },
      ...(input.format === 'onnx' ? { onnx: input.meta } : {}),
      createdAt: new Date(this.#now()).toISOString(),
    };
    models.versions.push(mv);
    this.#emit(EventType.ModelVersionRegistered, agent, mv, { actor: options.actor ?? 'system' });
    return mv;
  }

  /**
   * Point `alias` at `version` (must exist). Moving it to an older version is a rollback.
   * Every move is an audit event with who and why; the history is kept.
   */
  setAlias(agent: string, alias: string, version: number, meta: { actor?: string; reason?: string } = {}): AliasMove {
    const move = this.#move(agent, alias, version, meta);
    this.#applyMove(move);
    this.#remember(this.#emit(EventType.ModelAliasMoved, agent, move, { actor: move.actor, reason: move.reason, before: move.from, after: version }));
    return move;
  }

  /**
   * `setAlias`, but the move is appended straight to `store` (not through the asynchronous sink)
   * and applied here only once it is stored: when this resolves, every instance that follows the
   * store can read it. The rollout moves `canary` this way before it sends traffic to the model.
   */
  async setAliasDurably(
    agent: string,
    alias: string,
    version: number,
    meta: { actor?: string; reason?: string },
    store: Pick<EventStore, 'append'>,
  ): Promise<AliasMove> {
    const move = this.#move(agent, alias, version, meta);
    const event = this.#event(EventType.ModelAliasMoved, agent, move, { actor: move.actor, reason: move.reason, before: move.from, after: version });
    // Remembered first: the store's subscription delivers it here too, maybe before `append` resolves.
    this.#remember(event.id);
    await store.append([event]);
    this.#applyMove(move);
    return move;
  }

  #move(agent: string, alias: string, version: number, meta: { actor?: string; reason?: string }): AliasMove {
    if (!ALIAS_RE.test(alias)) throw new ValidationError(`invalid alias "${alias.slice(0, 40)}"`, [{ path: 'alias', message: 'lowercase letters, digits, dashes; starts with a letter' }]);
    const models = this.#agents.get(agent);
    if (!models?.versions.some((v) => v.version === version)) throw new NotFoundError(`model ${agent} has no version ${version}`);
    const from = models.aliases.get(alias) ?? null;
    const move: AliasMove = {
      agent,
      alias,
      from,
      to: version,
      rollback: from !== null && version < from,
      actor: meta.actor ?? 'system',
      reason: meta.reason ?? '',
      at: new Date(this.#now()).toISOString(),
    };
    return move;
  }

  versions(agent: string): readonly ModelVersion[] {
    return this.#agents.get(agent)?.versions ?? [];
  }

  version(agent: string, version: number): ModelVersion | undefined {
    return this.#agents.get(agent)?.versions.find((v) => v.version === version);
  }

  latest(agent: string): ModelVersion | undefined {
    const vs = this.versions(agent);
    return vs[vs.length - 1];
  }

  aliases(agent: string): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#agents.get(agent)?.aliases ?? []);
  }

  /** Every move of `alias` (or of every alias), oldest first. */
  aliasHistory(agent: string, alias?: string): readonly AliasMove[] {
    const h = this.#agents.get(agent)?.history ?? [];
    return alias === undefined ? h : h.filter((m) => m.alias === alias);
  }

  agents(): string[] {
    return [...this.#agents.keys()].sort();
  }

  /** The version a reference points at, or undefined (unknown alias/version). */
  resolve(ref: ModelRef | string): ModelVersion | undefined {
    const r = typeof ref === 'string' ? parseModelUri(ref) : ref;
    const v = 'alias' in r ? this.#agents.get(r.agent)?.aliases.get(r.alias) : r.version;
    return v === undefined ? undefined : this.version(r.agent, v);
  }

  /**
   * Local path of a version's artifact, for worker threads: the file itself with the filesystem
   * store, otherwise the local cache that `load` fills after verifying the digest.
   */
  pathOf(v: ModelVersion): string {
    return this.artifacts.kind === 'filesystem' ? join(this.dir, v.file) : join(this.dir, 'cache', v.file);
  }

  /**
   * Load a version for serving: read the artifact, verify its sha256 (IntegrityError,
   * `INTEGRITY_VIOLATION`), parse it (`MODEL_INVALID`). Unknown references: NotFoundError.
   */
  async load(ref: ModelRef | string): Promise<LoadedModel & { readonly version: ModelVersion }> {
    const v = this.resolve(ref);
    if (!v) throw new NotFoundError(`no model version for ${typeof ref === 'string' ? ref : formatModelUri(ref)}`);
    const what = `artifact of models:/${v.agent}/${v.version}`;
    let bytes: Uint8Array;
    try {
      bytes = await this.artifacts.get(v.file);
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundError(`${what} is missing from the ${this.artifacts.kind} artifact store (${v.file})`, { cause: e });
      throw e;
    }
    verifyDigest(bytes, v.sha256, what);
    if (this.artifacts.kind !== 'filesystem') await cacheLocally(this.pathOf(v), bytes);
    return { ...(await modelFromBytes(bytes, v)), version: v };
  }

  /** Called after every alias move (serving caches reload). */
  onAliasMoved(listener: (m: AliasMove) => void): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => void (this.#listeners = this.#listeners.filter((l) => l !== listener));
  }

  /** Apply a stored registry event (startup catch-up from the log). */
  apply(e: StoredEvent): void {
    if (e.type === EventType.ModelVersionRegistered) {
      const mv = e.data as ModelVersion;
      const models = this.#models(mv.agent);
      if (!models.versions.some((v) => v.version === mv.version)) {
        models.versions.push(mv);
        models.versions.sort((a, b) => a.version - b.version);
      }
    } else if (e.type === EventType.ModelAliasMoved) {
      if (this.#appliedMoves.has(e.id)) return;
      this.#remember(e.id);
      this.#applyMove(e.data as AliasMove);
    }
  }

  /** Rebuild from the event log; returns the cursor to follow from (see `follow`). */
  async catchUp(store: EventStore): Promise<Cursor> {
    let after: Cursor = START;
    for (;;) {
      const page = await store.readAll({ after, limit: 1000, types: REGISTRY_EVENTS });
      for (const e of page) this.apply(e);
      const last = page[page.length - 1];
      if (last) after = { transactionId: last.transactionId, position: last.position };
      if (!last || page.length < 1000) return after;
    }
  }

  /**
   * Follow registry events appended by any instance (train once, serve everywhere): a version
   * registered or an alias moved elsewhere reaches this registry, and through `onAliasMoved` the
   * serving models, as soon as the store's subscription delivers it. Returns the disposer.
   */
  follow(store: EventStore, after: Cursor): () => Promise<void> {
    return store.subscribe(
      (events) => {
        for (const e of events) this.apply(e);
      },
      { after, types: REGISTRY_EVENTS },
    );
  }

  #remember(eventId: string): void {
    this.#appliedMoves.add(eventId);
    if (this.#appliedMoves.size > 10_000) this.#appliedMoves.delete(this.#appliedMoves.values().next().value as string);
  }

  #applyMove(move: AliasMove): void {
    const models = this.#models(move.agent);
    models.aliases.set(move.alias, move.to);
    models.history.push(move);
    for (const l of this.#listeners) {
      try {
        l(move);
      } catch {
        // a listener's failure must not undo the move
      }
    }
  }

  #models(agent: string): AgentModels {
    let m = this.#agents.get(agent);
    if (!m) this.#agents.set(agent, (m = { versions: [], aliases: new Map(), history: [] }));
    return m;
  }

  #emit(type: string, agent: string, data: unknown, metadata: Record<string, unknown>): string {
    const event = this.#event(type, agent, data, metadata);
    this.#sink?.record(event);
    return event.id;
  }

  #event(type: string, agent: string, data: unknown, metadata: Record<string, unknown>): NewEvent {
    return { id: uuidv7(), type, stream: `model-${agent}`, data, metadata, time: new Date(this.#now()).toISOString() };
  }
}

/** Read, verify and build one version's serving model (also used inside shadow workers). */
export async function loadVersion(path: string, v: Pick<ModelVersion, 'agent' | 'version' | 'format' | 'sha256' | 'onnx'>): Promise<LoadedModel> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new NotFoundError(`artifact of models:/${v.agent}/${v.version} is missing (${path})`, { cause: e });
  }
  verifyDigest(bytes, v.sha256, `artifact of models:/${v.agent}/${v.version}`);
  return modelFromBytes(bytes, v);
}

/** Build a serving model from verified bytes. */
async function modelFromBytes(bytes: Uint8Array, v: Pick<ModelVersion, 'format' | 'onnx'>): Promise<LoadedModel> {
  if (v.format === 'onnx') {
    if (!v.onnx) throw new ValidationError('ONNX version without its metadata', [{ path: 'onnx', message: 'required' }]);
    return modelFromOnnx(bytes, v.onnx);
  }
  return modelFromArtifact(parseArtifact(Buffer.from(bytes).toString('utf8')));
}

/** Write verified bytes to the local cache (temporary name, then rename) unless present. */
async function cacheLocally(path: string, bytes: Uint8Array): Promise<void> {
  const present = await stat(path).then(
    (st) => st.size === bytes.byteLength,
    () => false,
  );
  if (present) return;
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}
