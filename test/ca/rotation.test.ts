import { CertificateRotation, MeshCa, RotationClock, WorkloadIdentity, createWorkloadCsr, renewalTime, IssuedCertificate } from '../../runtime/ca';

/** A clock whose time moves only when the test says; due timers run in order. */
class ManualClock implements RotationClock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + delayMs, fn, id });
    return id;
  }
  clearTimer(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  get pending(): number {
    return this.timers.length;
  }
  /** Moves time forward, running timers as they fall due, and lets their promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
}

const web: WorkloadIdentity = { trustDomain: 'cluster.local', namespace: 'default', serviceAccount: 'web' };
const HOUR = 3600_000;

test('renewalTime is at half-life by default', () => {
  const cert = { notBefore: new Date(0), notAfter: new Date(24 * HOUR) };
  expect(renewalTime(cert).getTime()).toBe(12 * HOUR);
  expect(renewalTime(cert, 0.8).getTime()).toBe(Math.floor(24 * HOUR * 0.8));
  expect(() => renewalTime(cert, 1)).toThrow('renewal ratio');
});

test('renews a CA-issued certificate at half-life of its validity, with the injected clock', async () => {
  const start = Date.parse('2030-01-01T00:00:00Z');
  const clock = new ManualClock(start);
  const ca = await MeshCa.start({ now: () => new Date(clock.now()), rootTtl: '87600h' });
  const issued: IssuedCertificate[] = [];
  let notify: () => void = () => undefined;
  const nextIssue = (): Promise<void> => new Promise((resolve) => (notify = resolve));
  const rotation = new CertificateRotation({
    clock,
    issue: async () => ca.signCsr((await createWorkloadCsr(web)).csrPem, { identity: web, ttl: '24h' }),
    onIssued: (c) => {
      issued.push(c);
      notify();
    },
  });
  const first = await rotation.start();
  // Valid from start − 1 min to start + 24 h: half-life falls 30 s before start + 12 h.
  expect(rotation.nextRenewal?.getTime()).toBe(start - 60_000 + (24 * HOUR + 60_000) / 2);
  await clock.advance(12 * HOUR - 31_000);
  expect(issued).toHaveLength(1);
  const second = nextIssue();
  await clock.advance(1_000);
  await second;
  expect(issued).toHaveLength(2);
  expect(rotation.current?.serialNumber).not.toBe(first.serialNumber);
  expect(rotation.current?.notBefore.getTime()).toBe(start + 12 * HOUR - 30_000 - 60_000);
  const third = nextIssue();
  await clock.advance(12 * HOUR);
  await third;
  expect(issued).toHaveLength(3);
  rotation.stop();
  expect(clock.pending).toBe(0);
});

test('a failed renewal is retried with backoff and the current certificate kept', async () => {
  const clock = new ManualClock(0);
  let calls = 0;
  const errors: number[] = [];
  const rotation = new CertificateRotation({
    clock,
    retryInitialMs: 1000,
    retryMaxMs: 4000,
    issue: async () => {
      calls += 1;
      if (calls >= 2 && calls <= 5) throw new Error('CA unavailable');
      return { notBefore: new Date(clock.now()), notAfter: new Date(clock.now() + 10_000), n: calls };
    },
    onError: (_e, attempt) => errors.push(attempt),
  });
  await rotation.start();
  await clock.advance(5_000); // renewal due: fails
  expect(errors).toEqual([1]);
  expect(rotation.current?.n).toBe(1);
  await clock.advance(1_000 + 2_000 + 4_000); // retries after 1 s, 2 s, 4 s: attempts 2, 3, 4
  expect(errors).toEqual([1, 2, 3, 4]);
  await clock.advance(4_000); // capped at 4 s: succeeds
  expect(rotation.current?.n).toBe(6);
  expect(rotation.nextRenewal?.getTime()).toBe(clock.now() + 5_000);
  rotation.stop();
});
