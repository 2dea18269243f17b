/** The synthesized bookinfo manifests, in process, as the launcher reads them. */
import { App } from 'cdk8s';
import type { YamlDocument } from '../../runtime/config/yaml-files';
import type { ManifestFile } from '../../runtime/local/local-config';
import { BookinfoChart, BookinfoScenario } from '../../stacks/bookinfo';

export function bookinfoDocuments(scenario: BookinfoScenario = 'jason-v2', replicas?: number): YamlDocument[] {
  const app = new App({ outdir: '/nonexistent' });
  const chart = new BookinfoChart(app, 'bookinfo', { scenario, replicas });
  return chart.toJson().map((object, i) => ({ file: 'bookinfo.k8s.yaml', index: i + 1, line: 1, object }));
}

export function bookinfoFiles(scenario: BookinfoScenario = 'jason-v2', replicas?: number): ManifestFile[] {
  return [{ name: 'bookinfo.k8s.yaml', documents: bookinfoDocuments(scenario, replicas) }];
}
