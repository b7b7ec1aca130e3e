/**
 * What each flow last saw or did to each key (the version a read returned, or the one its own write, delete or
 * take produced), so its next write can be refused when someone else deleted the key since. A flow is one
 * better-auth endpoint call: better-auth runs each in an AsyncLocalStorage context that the storage's calls
 * inherit. Outside any (internal adapter used directly), the process is one flow, remembered for a bounded set
 * of keys.
 */
export class SeenVersions {
  private readonly byFlow = new WeakMap<object, Map<string, number>>();
  private readonly outside = new Map<string, number>();

  constructor(
    private readonly maxOutside: number,
    private readonly currentFlow: () => object | undefined = betterAuthEndpointContext,
  ) {}

  get(key: string): number | undefined {
    return this.versions().get(key);
  }

  set(key: string, version: number): void {
    const versions = this.versions();
    versions.delete(key);
    versions.set(key, version);
    if (versions === this.outside && versions.size > this.maxOutside) {
      const oldest = versions.keys().next();
      if (!oldest.done) versions.delete(oldest.value);
    }
  }

  private versions(): Map<string, number> {
    const flow = this.currentFlow();
    if (flow === undefined) return this.outside;
    let versions = this.byFlow.get(flow);
    if (!versions) {
      versions = new Map();
      this.byFlow.set(flow, versions);
    }
    return versions;
  }
}

interface BetterAuthGlobal {
  context?: { endpointContextAsyncStorage?: { getStore(): unknown } };
}

/**
 * The endpoint context of the better-auth call in progress. better-auth keeps its AsyncLocalStorage on
 * globalThis under Symbol.for('better-auth:global') so that every copy of the package shares it
 * (@better-auth/core 1.7.25, dist/context/global.mjs and endpoint-context.mjs; set per call by
 * runWithEndpointContext in better-auth 1.7.25 dist/api/dispatch.mjs). Read the same way, no import needed.
 */
export function betterAuthEndpointContext(): object | undefined {
  const global = (globalThis as Record<symbol, BetterAuthGlobal | undefined>)[
    Symbol.for('better-auth:global')
  ];
  const store = global?.context?.endpointContextAsyncStorage?.getStore();
  return typeof store === 'object' && store !== null ? store : undefined;
}
