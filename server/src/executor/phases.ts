/** Wall time per phase, for the step-overhead measurement and debug logs. */
export interface Phases {
  mark(name: string): void;
  result(): Record<string, number>;
}

export function phases(): Phases {
  let last = performance.now();
  const out: Record<string, number> = {};
  return {
    mark(name) {
      const now = performance.now();
      out[name] = Math.round(now - last);
      last = now;
    },
    result: () => ({ ...out })
  };
}
