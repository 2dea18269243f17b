/** The security README's construct example synthesizes the AuthorizationPolicies it describes. */
import { Testing } from 'cdk8s';
import { secureBookinfo } from './fixtures/secure-bookinfo';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> };

it('renders the README AccessPolicies as Istio AuthorizationPolicies', () => {
  const app = Testing.app();
  const chart = secureBookinfo(app);
  const policies = (Testing.synth(chart) as Obj[]).filter((o) => o.kind === 'AuthorizationPolicy');
  const byName = new Map(policies.map((p) => [p.metadata.name, p]));
  expect(byName.get('reviews-readers')?.spec).toEqual({
    selector: { matchLabels: { app: 'reviews' } },
    rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/productpage'] } }], to: [{ operation: { methods: ['GET'] } }] }],
  });
  expect(byName.get('no-products-api')?.spec).toEqual({
    selector: { matchLabels: { app: 'productpage' } },
    action: 'DENY',
    rules: [{ to: [{ operation: { paths: ['/api/v1/products/*'] } }] }],
  });
});
