export * from './access-logging';
export * from './outbound-traffic-policy';
export * from './ports';
/** The mesh's default mode uses the security intents' MtlsMode (one enum, re-exported for convenience). */
export { MtlsMode } from '../security/mtls-policy';
