/**
 * gRPC backends for the HTTP/2 end-to-end tests: a generic `test.Echo` service
 * (JSON messages, no proto files) answering with the backend's name, plus the
 * matching client constructor. `Hello` fails with UNAVAILABLE the first
 * `fail-times` calls carrying metadata `key` (a flaky backend).
 */
import * as grpc from '@grpc/grpc-js';

export interface EchoRequest { readonly text: string }
export interface EchoReply { readonly backend: string; readonly text: string; readonly endUser: string }

const json = {
  serialize: (v: unknown): Buffer => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer): unknown => JSON.parse(b.toString('utf8')),
};

export const ECHO_SERVICE: grpc.ServiceDefinition = {
  hello: {
    path: '/test.Echo/Hello', requestStream: false, responseStream: false,
    requestSerialize: json.serialize, requestDeserialize: json.deserialize,
    responseSerialize: json.serialize, responseDeserialize: json.deserialize,
  },
  count: {
    path: '/test.Echo/Count', requestStream: false, responseStream: true,
    requestSerialize: json.serialize, requestDeserialize: json.deserialize,
    responseSerialize: json.serialize, responseDeserialize: json.deserialize,
  },
};

export const EchoClient = grpc.makeGenericClientConstructor(ECHO_SERVICE, 'Echo');

export interface GrpcBackend {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  calls: number;
  close(): Promise<void>;
}

export async function startGrpcBackend(name: string, address: string): Promise<GrpcBackend> {
  const failures = new Map<string, number>();
  const server = new grpc.Server();
  const backend: GrpcBackend = { name, address, port: 0, calls: 0, close: async () => undefined };
  server.addService(ECHO_SERVICE, {
    hello: (call: grpc.ServerUnaryCall<EchoRequest, EchoReply>, cb: grpc.sendUnaryData<EchoReply>) => {
      backend.calls++;
      const key = call.metadata.get('key')[0];
      const times = Number(call.metadata.get('fail-times')[0] ?? 0);
      if (typeof key === 'string' && times > 0) {
        const n = failures.get(key) ?? 0;
        failures.set(key, n + 1);
        if (n < times) {
          cb({ code: grpc.status.UNAVAILABLE, details: `${name} is flaky` });
          return;
        }
      }
      const trailer = new grpc.Metadata();
      trailer.set('x-backend', name);
      cb(null, { backend: name, text: call.request.text, endUser: String(call.metadata.get('end-user')[0] ?? '') }, trailer);
    },
    count: (call: grpc.ServerWritableStream<{ n: number }, { backend: string; i: number }>) => {
      backend.calls++;
      for (let i = 0; i < call.request.n; i++) call.write({ backend: name, i });
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${address}:0`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return Object.assign(backend, {
    port,
    close: () => new Promise<void>((resolve) => {
      server.forceShutdown();
      resolve();
    }),
  });
}

/** A client to the proxy's listener at `target` (`ip:port`), with `:authority` set to `authority`. */
export function echoClient(target: string, authority: string): grpc.Client {
  return new EchoClient(target, grpc.credentials.createInsecure(), { 'grpc.default_authority': authority });
}

/** One unary Hello; resolves with the reply or the gRPC error. */
export function hello(client: grpc.Client, text: string, metadata: Record<string, string> = {}, deadlineMs = 5000): Promise<{ reply?: EchoReply; error?: grpc.ServiceError; trailers?: grpc.Metadata }> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve) => {
    // The status (with trailers) comes after the callback: answer once both are in.
    let result: { reply?: EchoReply; error?: grpc.ServiceError } | undefined;
    let trailers: grpc.Metadata | undefined;
    let statusSeen = false;
    const settle = (): void => {
      if (result !== undefined && statusSeen) resolve({ ...result, trailers });
    };
    const call = (client as unknown as { hello: (r: EchoRequest, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: EchoReply) => void) => grpc.ClientUnaryCall })
      .hello({ text }, md, { deadline: Date.now() + deadlineMs }, (error, reply) => {
        result = error ? { error } : { reply };
        settle();
      });
    call.on('status', (s: grpc.StatusObject) => {
      trailers = s.metadata;
      statusSeen = true;
      settle();
    });
  });
}

/** Server-streaming Count(n): the messages received, or the error. */
export function count(client: grpc.Client, n: number, deadlineMs = 5000): Promise<{ items: { backend: string; i: number }[]; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    const items: { backend: string; i: number }[] = [];
    const call = (client as unknown as { count: (r: { n: number }, o: grpc.CallOptions) => grpc.ClientReadableStream<{ backend: string; i: number }> })
      .count({ n }, { deadline: Date.now() + deadlineMs });
    call.on('data', (d: { backend: string; i: number }) => items.push(d));
    call.on('error', (error: grpc.ServiceError) => resolve({ items, error }));
    call.on('end', () => resolve({ items }));
  });
}
