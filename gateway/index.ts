/** The gateway's public surface, for the composition root. */

export { type MintedKeys, mintKeys } from './cli/mintKeys.ts';
export { CLOSE } from './closeCodes.ts';
export {
  DEFAULT_GATEWAY_CONFIG,
  type GatewayConfig,
  GatewayConfigError,
  type GatewayConfigInput,
  gatewayConfig,
} from './config.ts';
export { type Gateway, GatewayListenError, type GatewayOptions, startGateway } from './startGateway.ts';
export { isNativeUws, UwsNotNativeError } from './uws.ts';
