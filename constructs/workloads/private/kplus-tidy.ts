import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/**
 * cdk8s-plus labels every pod template with `cdk8s.io/metadata.addr` (its own
 * pod selector), even when the workload selects by other labels. meshform pods
 * are selected by `app`/`version` (what Istio keys on), so the label is noise in
 * the manifest and is removed here.
 */
export function removeAddressLabel(workload: kplus.Deployment): void {
  ApiObject.of(workload).addJsonPatch(
    JsonPatch.remove(`/spec/template/metadata/labels/${escapePointer(kplus.Pod.ADDRESS_LABEL)}`),
  );
}

/** cdk8s-plus always renders `externalIPs: []` on Services; an empty list says nothing. */
export function removeEmptyExternalIps(service: kplus.Service): void {
  ApiObject.of(service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}
