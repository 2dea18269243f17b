/**
 * HTTP/2 cleartext (h2c) and gRPC on the proxy's HTTP listeners: preface
 * detection once per connection ({@link sniffHttpVersion}), an
 * {@link Http2Listener} that maps each stream onto the engine's stages
 * (`RequestHead` → `Router` → pool as `UpstreamUser`) and answers gRPC
 * requests' local replies the gRPC way.
 */
export * from './grpc-local-reply';
export * from './preface';
export * from './http2-listener';
export * from './stream-exchange';
