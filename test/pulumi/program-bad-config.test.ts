/** The Pulumi program (stacks/pulumi.ts) refuses bad config before creating anything. */
import * as pulumi from '@pulumi/pulumi';
import { allRegistrations, installMocks } from './harness';
installMocks();

test('bad config fails with a message naming key, allowed values and value, and nothing is registered', async () => {
  pulumi.runtime.setAllConfig({ 'meshform:scenario': 'canary', 'meshform:replicas': '0', 'meshform:mtls': 'ON' });
  await expect(import('../../stacks/pulumi')).rejects.toThrow(
    /meshform:scenario: must be one of all-v1, jason-v2, split-50, ratings-delay \(got "canary"\)[\s\S]*meshform:replicas: must be a positive integer \(1, 2, 3, \.\.\.\) \(got "0"\)[\s\S]*meshform:mtls: must be one of STRICT, PERMISSIVE, DISABLE \(got "ON"\)/,
  );
  expect(allRegistrations()).toHaveLength(0);
});
