/**
 * mulberry32: a tiny seeded generator for simulated catalogues, benchmarks and randomised tests, so a
 * run can be replayed from its seed. Good enough for test data; never for anything secret.
 */
export type Prng = () => number;

export function prng(seed: number): Prng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
