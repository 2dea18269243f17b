import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ConfigStore } from '../../runtime/config/config-store';
import type { ConfigSnapshot } from '../../runtime/config/config-snapshot';

/** A fresh temporary directory holding `files` (relative path → content). */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'meshform-config-'));
  for (const [name, content] of Object.entries(files)) writeFile(dir, name, content);
  return dir;
}

export function writeFile(dir: string, name: string, content: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), content);
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Resolves with the first snapshot of `store` (the current one included) for
 * which `condition` holds; rejects when `deadlineMs` passes first.
 */
export function waitForSnapshot(store: ConfigStore, condition: (s: ConfigSnapshot) => boolean, deadlineMs = 5000): Promise<ConfigSnapshot> {
  return new Promise((resolve, reject) => {
    if (condition(store.snapshot())) {
      resolve(store.snapshot());
      return;
    }
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`condition not met within ${deadlineMs} ms (snapshot version ${store.snapshot().version})`));
    }, deadlineMs);
    const unsubscribe = store.onChange((change) => {
      if (!condition(change.snapshot)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(change.snapshot);
    });
  });
}

export const REVIEWS_SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: reviews
  namespace: default
spec:
  selector: {app: reviews}
  ports:
  - name: http
    port: 9080
`;

export function reviewsVirtualService(weightV1: number, weightV2: number): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: default
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
      weight: ${weightV1}
    - destination: {host: reviews, subset: v2}
      weight: ${weightV2}
`;
}

export const RATINGS_DESTINATION_RULE = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
spec:
  host: ratings
  subsets:
  - name: v1
    labels: {version: v1}
`;
