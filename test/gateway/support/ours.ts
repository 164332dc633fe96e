/** Checks a response against our own published schema (the one /openapi.json documents). */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { COMPONENTS, type ComponentName } from '../../../gateway/rest/schemas.ts';

const compiled = new Map<string, ReturnType<typeof TypeCompiler.Compile>>();

export function ourProblems(name: ComponentName, value: unknown): string[] {
  let check = compiled.get(name);
  if (!check) {
    check = TypeCompiler.Compile(COMPONENTS[name]);
    compiled.set(name, check);
  }
  return [...check.Errors(value)].map((e) => `${e.path}: ${e.message}`);
}
