// The registry this project installs from lacks some optional platform binaries of biome, buf and
// litesvm (other OSes/CPUs). npm then leaves them out of package-lock.json and `npm ci` refuses the
// lock ("Missing: … from lock file"). This adds each missing optional package to the lock with its
// os/cpu/libc, so `npm ci` knows it and skips it on this platform without fetching it.
// Run after any `npm install` that changes the lock: node .ci/complete-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages;
const platformOf = (name) => {
  const tail = name.split('/').pop();
  const os = ['android', 'darwin', 'linux', 'win32', 'freebsd'].find((o) => tail.includes(o));
  const cpu =
    tail.includes('arm64') || tail.includes('aarch64')
      ? 'arm64'
      : tail.includes('armv7')
        ? 'arm'
        : tail.includes('x64')
          ? 'x64'
          : null;
  const libc = tail.endsWith('-musl') ? 'musl' : tail.endsWith('-gnu') ? 'glibc' : null;
  return { os, cpu, libc };
};
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    const { os, cpu, libc } = platformOf(dep);
    if (!os || !cpu) throw new Error(`cannot tell the platform of ${dep} (needed by ${path || 'root'})`);
    packages[key] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
writeFileSync('package-lock.json', `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} optional platform package(s) recorded`);
