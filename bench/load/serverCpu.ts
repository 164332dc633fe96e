/**
 * The gateway's CPU time as its own /metrics reports it (prom-client's process_cpu_seconds_total):
 * read before and after the run, the difference is the server's CPU over the run, wherever it
 * runs. Null when the endpoint is absent or hidden (a proxy): the report then says n/a.
 */
import { getText } from './http.ts';

export async function serverCpuSeconds(baseUrl: string, timeoutMs: number): Promise<number | null> {
  const text = await getText(`${baseUrl}/metrics`, timeoutMs);
  const m = text ? /^process_cpu_seconds_total(?:\{[^}]*\})?\s+([0-9.eE+-]+)\s*$/m.exec(text) : null;
  const value = m ? Number(m[1]) : Number.NaN;
  return Number.isFinite(value) ? value : null;
}
