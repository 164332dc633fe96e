/**
 * uWebSockets.js, native or not at all. The package silently falls back to a pure-Node
 * implementation when its binary fails to load (wrong glibc, wrong Node ABI, UWS_USE_FALLBACK set),
 * which would serve traffic at a fraction of the speed with different backpressure semantics.
 */
import uWS from 'uWebSockets.js';

export type {
  HttpRequest,
  HttpResponse,
  TemplatedApp,
  us_listen_socket,
  WebSocket,
  WebSocketBehavior,
} from 'uWebSockets.js';

export class UwsNotNativeError extends Error {
  override readonly name = 'UwsNotNativeError';
  constructor() {
    super(
      'uWebSockets.js loaded its pure-JS fallback, not the native binary: refusing to start ' +
        '(needs Node 16/18/20 on glibc; unset UWS_USE_FALLBACK)',
    );
  }
}

export const isNativeUws = (): boolean => /\[native code\]/.test(String(uWS.App));

/** The native module, or UwsNotNativeError. */
export function nativeUws(): typeof uWS {
  if (!isNativeUws()) throw new UwsNotNativeError();
  return uWS;
}

/** uWS's `app.close()` exists at runtime in this build but not in its typings. */
export function closeApp(app: uWS.TemplatedApp): void {
  const closable = app as uWS.TemplatedApp & { close?: () => void };
  closable.close?.();
}
