/**
 * Loads HiGHS. The package's types describe a CommonJS module whose default export is the loader,
 * while its ESM build exports the loader as default: the two disagree under NodeNext. The CommonJS
 * build is loaded through `require`, where `module.exports` is the loader itself, and typed here once.
 */
import { createRequire } from 'node:module';
import type { Highs, InitOptions } from 'highs';

const require = createRequire(import.meta.url);

export const loadHighs = require('highs') as (options?: InitOptions) => Promise<Highs>;
