/**
 * The proxy's HTTP security filters, run before the router: Envoy's jwt_authn
 * (JWT verification with the project's jose-based authenticator) and RBAC
 * (an evaluator of Envoy's RBAC policy tree).
 */
export * from './request-context';
export * from './rbac';
export * from './jwt-authn';
export * from './http-filter-chain';
