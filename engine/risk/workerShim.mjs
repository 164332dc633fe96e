// Worker threads do not inherit the parent's module hooks, and Node 20 cannot load TypeScript itself:
// register tsx in this thread first, then load the real entry (passed as workerData.entry).
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
