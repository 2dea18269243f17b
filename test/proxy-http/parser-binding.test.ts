import { createParser, isParseError, METHODS, PARSE_REQUEST, ParserSink } from '../../runtime/proxy/http/node-http-parser';

/** Pins what the engine relies on from Node's internal parser, on the Node that runs the tests. */
describe('Node HTTP parser binding', () => {
  function collect(maxHeaderBytes = 0) {
    const events: string[] = [];
    const sink: ParserSink = {
      onHeaders: (h, url) => events.push(`headers:${h.length}:${url}`),
      onHeadersComplete: (major, minor, headers, method, url, _s, _r, upgrade, keepAlive) => {
        events.push(`head:${major}.${minor}:${METHODS[method ?? -1]}:${url}:${headers?.length}:${upgrade}:${keepAlive}`);
        return 0;
      },
      onBody: (b) => events.push(`body:${b.toString()}`),
      onMessageComplete: () => events.push('end'),
    };
    return { events, parser: createParser(PARSE_REQUEST, maxHeaderBytes, sink) };
  }

  it('reports heads, bodies and message ends through the slots the engine uses', () => {
    const { events, parser } = collect();
    const r = parser.execute(Buffer.from('POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'));
    expect(isParseError(r)).toBe(false);
    expect(events).toEqual(['head:1.1:POST:/x:4:false:true', 'body:abc', 'end']);
  });

  it('flushes large header sets early through onHeaders', () => {
    const { events, parser } = collect();
    let raw = 'GET /many HTTP/1.1\r\n';
    for (let i = 0; i < 40; i++) raw += `h${i}: v\r\n`;
    parser.execute(Buffer.from(raw + '\r\n'));
    // Flushed in groups through onHeaders; the head-complete call then carries the rest.
    expect(events[0]).toMatch(/^headers:\d+:\/many$/);
    expect(events[events.length - 1]).toBe('end');
  });

  it('returns errors with llhttp codes instead of throwing', () => {
    const a = collect().parser.execute(Buffer.from('GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n'));
    expect(isParseError(a) && a.code).toBe('HPE_INVALID_TRANSFER_ENCODING');
    const b = collect(64).parser.execute(Buffer.from(`GET / HTTP/1.1\r\nX: ${'a'.repeat(100)}\r\n\r\n`));
    expect(isParseError(b) && b.code).toBe('HPE_HEADER_OVERFLOW');
  });
});
