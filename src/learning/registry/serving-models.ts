import type { LoadedModel } from './model-artifact.js';
import type { ModelRegistry, ModelVersion } from './model-registry.js';

/** A loaded version ready to serve, as the decision engine sees it. */
export interface ServingModel extends LoadedModel {
  readonly version: ModelVersion;
}

export interface ServingModelsOptions {
  /** Aliases tried in order for the model the `ml` arm serves. Default `['canary', 'production']`. */
  readonly servingAliases?: readonly string[];
  /** Aliases tried in order for the shadow model. Default `['shadow', 'canary', 'production']`. */
  readonly shadowAliases?: readonly string[];
  /** Told about every load failure (corrupt file, missing file...). The agent keeps serving its rules. */
  readonly onLoadError?: (agent: string, alias: string, error: unknown) => void;
}

/**
 * Keeps the versions that aliases point at loaded, so the decision path reads them
 * synchronously. Reloads when an alias moves; a version that fails to load (integrity,
 * invalid file) is left out, its error kept in `errors()`, and decisions use the rules.
 */
export class ServingModels {
  readonly #registry: ModelRegistry;
  readonly #serving: readonly string[];
  readonly #shadow: readonly string[];
  readonly #onLoadError: ServingModelsOptions['onLoadError'];
  /** `agent@alias` → loaded model. */
  readonly #loaded = new Map<string, ServingModel>();
  readonly #errors = new Map<string, { version: number; error: unknown }>();
  readonly #pending = new Map<string, Promise<void>>();
  /** `agent@alias` → reloads queued or running. */
  readonly #loading = new Map<string, number>();
  readonly #dispose: () => void;

  constructor(registry: ModelRegistry, options: ServingModelsOptions = {}) {
    this.#registry = registry;
    this.#serving = options.servingAliases ?? ['canary', 'production'];
    this.#shadow = options.shadowAliases ?? ['shadow', 'canary', 'production'];
    this.#onLoadError = options.onLoadError;
    this.#dispose = registry.onAliasMoved((m) => void this.refresh(m.agent, m.alias));
  }

  /** The model the `ml` arm serves, if loaded. */
  serving(agent: string): ServingModel | undefined {
    return this.#first(agent, this.#serving);
  }

  /** The model that predicts in shadow, if loaded. */
  shadow(agent: string): ServingModel | undefined {
    return this.#first(agent, this.#shadow);
  }

  /**
   * Whether the `ml` arm of `agent` can be served as the registry stands: the first serving
   * alias that points at a version has no (re)load in flight. A rollout flag that reaches
   * this instance before the alias (or the model) it needs is not effective yet: the router keeps
   * the unit on the rules instead of answering NO_MODEL. A version that failed to load is ready
   * (its failure is the answer: NO_MODEL, with the error in `errors()`).
   */
  ready(agent: string): boolean {
    const aliases = this.#registry.aliases(agent);
    const alias = this.#serving.find((a) => aliases[a] !== undefined);
    return alias !== undefined && !this.#loading.has(`${agent}@${alias}`);
  }

  /** The model loaded for one alias of an agent, if any. */
  loaded(agent: string, alias: string): ServingModel | undefined {
    return this.#loaded.get(`${agent}@${alias}`);
  }

  /** Load failures by `agent@alias`. */
  errors(): ReadonlyMap<string, { version: number; error: unknown }> {
    return this.#errors;
  }

  /** Load every alias of every agent (startup). */
  async refreshAll(): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const agent of this.#registry.agents()) for (const alias of Object.keys(this.#registry.aliases(agent))) jobs.push(this.refresh(agent, alias));
    await Promise.all(jobs);
  }

  /** (Re)load what `agent@alias` points at. Resolves when done; never rejects. */
  refresh(agent: string, alias: string): Promise<void> {
    const key = `${agent}@${alias}`;
    this.#loading.set(key, (this.#loading.get(key) ?? 0) + 1);
    const run = (this.#pending.get(key) ?? Promise.resolve())
      .then(() => this.#reload(agent, alias, key))
      .finally(() => {
        const n = (this.#loading.get(key) ?? 1) - 1;
        if (n > 0) this.#loading.set(key, n);
        else this.#loading.delete(key);
      });
    this.#pending.set(key, run);
    return run;
  }

  /** Wait for reloads in flight. */
  async settled(): Promise<void> {
    await Promise.all([...this.#pending.values()]);
  }

  async close(): Promise<void> {
    this.#dispose();
    await this.settled();
    await Promise.all([...this.#loaded.values()].map((m) => m.close().catch(() => undefined)));
    this.#loaded.clear();
  }

  async #reload(agent: string, alias: string, key: string): Promise<void> {
    const target = this.#registry.resolve({ agent, alias });
    const current = this.#loaded.get(key);
    if (current && target && current.version.version === target.version) return;
    try {
      if (!target) throw new Error(`alias ${key} points nowhere`);
      const m = await this.#registry.load({ agent, version: target.version });
      this.#loaded.set(key, m);
      this.#errors.delete(key);
      // Another alias may still serve the previous model: close it only when unused.
      if (current && ![...this.#loaded.values()].includes(current)) await current.close().catch(() => undefined);
    } catch (error) {
      // Refused (corrupt, mismatched, missing): serve the rules rather than a stale or broken model.
      this.#loaded.delete(key);
      if (current && ![...this.#loaded.values()].includes(current)) await current.close().catch(() => undefined);
      this.#errors.set(key, { version: target?.version ?? 0, error });
      this.#onLoadError?.(agent, alias, error);
    }
  }

  #first(agent: string, aliases: readonly string[]): ServingModel | undefined {
    for (const a of aliases) {
      const m = this.#loaded.get(`${agent}@${a}`);
      if (m) return m;
    }
    return undefined;
  }
}
