/** One real gRPC round trip: a grpc-js client on loopback receives a Listener over ADS and ACKs it. */
import * as grpc from '@grpc/grpc-js';
import { SnapshotCache } from '../../runtime/xds/cache';
import { adsServiceDefinition, DiscoveryRequest, DiscoveryResponse, unpackResource } from '../../runtime/xds/protos';
import { TypeUrl } from '../../runtime/xds/resource-types';
import { createXdsServer, NodeInfo, XdsServer } from '../../runtime/xds/server';
import { bookinfoSnapshot, NODE, NODE_ID, sotwRequest } from './fixtures';

describe('ADS over gRPC on loopback', () => {
  let server: XdsServer | undefined;
  let client: grpc.Client | undefined;

  afterEach(async () => {
    client?.close();
    client = undefined;
    await server?.close();
    server = undefined;
  });

  test('a client receives the Listener, ACKs it, and the ACK is recorded', async () => {
    const cache = new SnapshotCache();
    const opened: NodeInfo[] = [];
    server = createXdsServer({
      cache,
      hooks: {
        onStreamOpened: (node) => {
          opened.push(node);
          cache.setSnapshot(node.id, bookinfoSnapshot());
        },
      },
    });
    const port = await server.listen('127.0.0.1', 0);

    const Client = grpc.makeGenericClientConstructor(adsServiceDefinition(), 'AggregatedDiscoveryService');
    client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = (client as unknown as {
      StreamAggregatedResources(): grpc.ClientDuplexStream<DiscoveryRequest, DiscoveryResponse>;
    }).StreamAggregatedResources();
    const responses: DiscoveryResponse[] = [];
    const received = new Promise<DiscoveryResponse>((resolve, reject) => {
      call.on('data', (r: DiscoveryResponse) => {
        responses.push(r);
        resolve(r);
      });
      call.on('error', (e: Error) => reject(e));
    });
    call.on('error', () => undefined);

    call.write(sotwRequest({ typeUrl: TypeUrl.Listener, node: NODE }));
    const response = await received;
    expect(response.type_url).toBe(TypeUrl.Listener);
    expect(response.resources).toHaveLength(1);
    const listener = unpackResource(response.resources[0]);
    expect(listener.name).toBe('0.0.0.0_9080');
    expect(opened[0]).toEqual(
      expect.objectContaining({ id: NODE_ID, metadata: { NAMESPACE: 'default', LABELS: { app: 'productpage', version: 'v1' } } }),
    );

    // ACK, then wait until the server has recorded it
    const acked = new Promise<void>((resolve) => {
      const check = (): void => {
        const lds = server!.status.streamsOf(NODE_ID)[0]?.types.find((t) => t.typeUrl === TypeUrl.Listener);
        if (lds?.ackedVersion === response.version_info) resolve();
        else setImmediate(check);
      };
      check();
    });
    call.write(sotwRequest({ typeUrl: TypeUrl.Listener, node: null, version: response.version_info, nonce: response.nonce }));
    await acked;
    expect(responses).toHaveLength(1);

    // closing the server ends the stream and drops its watches
    await server.close();
    expect(cache.pendingWatchCount()).toBe(0);
    expect(server.status.streams()).toHaveLength(0);
    call.cancel();
  });
});
