/**
 * Configuration from the environment, validated at boot. Each variable is declared once with its type,
 * default and meaning; the same declarations validate the environment (every problem reported at once,
 * one line each) and render the README's configuration table, so the two cannot drift apart.
 */
import { usdcToMicro } from '../machines/money.ts';

export interface VarSpec<T> {
  name: string;
  /** What it configures, for the README table. */
  doc: string;
  /** Shown in the table; `undefined` means the variable is optional with no default. */
  defaultText: string;
  parse(raw: string | undefined): T;
  /** Secrets are never echoed back in errors or logs. */
  secret?: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Parser<T> = (raw: string) => T;

function spec<T>(
  name: string,
  doc: string,
  fallback: T | undefined,
  parse: Parser<T>,
  show?: string,
): VarSpec<T> {
  return {
    name,
    doc,
    defaultText: show ?? (fallback === undefined ? '—' : String(fallback)),
    parse: (raw) => {
      if (raw === undefined || raw === '') {
        if (fallback === undefined) return undefined as T;
        return fallback;
      }
      return parse(raw.trim());
    },
  };
}

export const str = (name: string, doc: string, fallback?: string) => spec(name, doc, fallback, (raw) => raw);

export const secret = (name: string, doc: string): VarSpec<string | undefined> => ({
  ...spec<string | undefined>(name, doc, undefined, (raw) => raw),
  secret: true,
});

export function int(name: string, doc: string, fallback: number, min: number, max: number): VarSpec<number> {
  return spec(name, doc, fallback, (raw) => {
    if (!/^-?\d+$/.test(raw)) throw new Error(`must be an integer, got "${raw}"`);
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new Error(`must be between ${min} and ${max}, got ${raw}`);
    return n;
  });
}

export function oneOf<const T extends string>(
  name: string,
  doc: string,
  fallback: T,
  values: readonly T[],
): VarSpec<T> {
  return spec(name, `${doc} (${values.join(' | ')})`, fallback, (raw) => {
    if (!(values as readonly string[]).includes(raw))
      throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`);
    return raw as T;
  });
}

export function url(
  name: string,
  doc: string,
  fallback: string | undefined,
  protocols: string[],
): VarSpec<string> {
  return spec(name, doc, fallback, (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error('is not a URL');
    }
    if (!protocols.includes(parsed.protocol))
      throw new Error(`must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
    return raw;
  });
}

/** A USDC amount given as decimal text, held as micro-USDC. */
export function usdc(name: string, doc: string, fallbackMicro: number): VarSpec<number> {
  return spec(name, doc, fallbackMicro, (raw) => usdcToMicro(raw, name), String(fallbackMicro / 1_000_000));
}

/** Reads every spec; throws one ConfigError listing every problem. */
export function readConfig<S extends Record<string, VarSpec<unknown>>>(
  specs: S,
  env: NodeJS.ProcessEnv = process.env,
): { [K in keyof S]: ReturnType<S[K]['parse']> } {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, s] of Object.entries(specs)) {
    try {
      out[key] = s.parse(env[s.name]);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push(`${s.name} ${s.secret ? 'is invalid' : reason}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as { [K in keyof S]: ReturnType<S[K]['parse']> };
}

/** The README table for a set of specs. */
export function configTable(specs: Record<string, VarSpec<unknown>>): string {
  // A `|` inside a cell would end it: escape it.
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = Object.values(specs).map(
    (s) =>
      `| \`${s.name}\` | ${s.defaultText === '—' ? '—' : `\`${cell(s.defaultText)}\``} | ${cell(s.doc)} |`,
  );
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
