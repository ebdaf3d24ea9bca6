// One opossum circuit breaker per webhook endpoint, in this worker process. After
// repeated failures (at least `volumeThreshold` attempts in the rolling window, more than
// half failed) the breaker opens: deliveries to that endpoint then wait (their job is put
// back until the breaker half-opens, without using up an attempt) instead of hammering a
// receiver that is down. After `resetTimeout` it half-opens and lets one probe through: a
// success closes it, a failure opens it again. Per process: with several workers each
// keeps its own breakers (each then probes on its own), which is acceptable for a guard
// whose job is to cut the request rate, not to count exactly.
import CircuitBreaker from 'opossum';
import type { SendResult } from './send.ts';

export type BreakerOptions = {
  volumeThreshold: number;
  errorThresholdPercentage: number;
  resetTimeout: number;
  rollingCountTimeout: number;
};

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  resetTimeout: 60_000,
  rollingCountTimeout: 600_000,
};

class DeliveryFailed extends Error {
  result: SendResult;
  constructor(result: SendResult) {
    super(result.error ?? 'delivery failed');
    this.result = result;
  }
}

export type BreakerOutcome = { kind: 'sent'; result: SendResult } | { kind: 'open'; retryInMs: number };

type Entry = { breaker: CircuitBreaker<[() => Promise<SendResult>], SendResult>; openedAt: number };

export class EndpointBreakers {
  readonly options: BreakerOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: Partial<BreakerOptions> = {}) {
    this.options = { ...DEFAULT_BREAKER_OPTIONS, ...options };
  }

  /** The breaker of an endpoint (created closed on first use). */
  breaker(endpointId: string): Entry['breaker'] {
    return this.#entry(endpointId).breaker;
  }

  #entry(endpointId: string): Entry {
    let entry = this.#entries.get(endpointId);
    if (!entry) {
      const breaker = new CircuitBreaker(
        async (attempt: () => Promise<SendResult>) => {
          const result = await attempt();
          if (!result.ok) throw new DeliveryFailed(result);
          return result;
        },
        {
          timeout: false, // postWebhook enforces the 10 s itself and aborts the request
          volumeThreshold: this.options.volumeThreshold,
          errorThresholdPercentage: this.options.errorThresholdPercentage,
          resetTimeout: this.options.resetTimeout,
          rollingCountTimeout: this.options.rollingCountTimeout,
          rollingCountBuckets: 10,
        },
      );
      const created: Entry = { breaker, openedAt: 0 };
      breaker.on('open', () => {
        created.openedAt = Date.now();
      });
      entry = created;
      this.#entries.set(endpointId, entry);
    }
    return entry;
  }

  /** Runs one attempt through the endpoint's breaker; when it is open, says how long to wait. */
  async run(endpointId: string, attempt: () => Promise<SendResult>): Promise<BreakerOutcome> {
    const entry = this.#entry(endpointId);
    try {
      return { kind: 'sent', result: await entry.breaker.fire(attempt) };
    } catch (error) {
      if (error instanceof DeliveryFailed) return { kind: 'sent', result: error.result };
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        const retryInMs = Math.max(1000, entry.openedAt + this.options.resetTimeout - Date.now());
        return { kind: 'open', retryInMs };
      }
      throw error;
    }
  }

  /** Stops every breaker's timers and forgets them. */
  clear(): void {
    for (const { breaker } of this.#entries.values()) breaker.shutdown();
    this.#entries.clear();
  }
}
