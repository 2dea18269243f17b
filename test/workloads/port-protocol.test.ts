import { protocolOfPortName } from '../../constructs/workloads/port-protocol';

describe('protocolOfPortName', () => {
  test.each([
    ['http', 'http'],
    ['http-web', 'http'],
    ['http2', 'http2'],
    ['grpc', 'grpc'],
    ['grpc-api', 'grpc'],
    ['grpc-web', 'grpc-web'],
    ['grpc-web-ui', 'grpc-web'],
    ['tcp-db', 'tcp'],
    ['mongo', 'mongo'],
  ])('%s declares %s', (name, protocol) => {
    expect(protocolOfPortName(name)).toBe(protocol);
  });

  test.each(['web', 'httpx', 'http-', '-http', '', 'metrics'])('%p declares no protocol', (name) => {
    expect(protocolOfPortName(name)).toBeUndefined();
  });
});
