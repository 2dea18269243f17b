/**
 * The shape bookinfo's leaf services share: `GET <prefix><id>` answers facts
 * about one product as JSON, `/health` answers that the service is healthy,
 * every answer carries `x-bookinfo-version`.
 */
import { methodNotAllowed, notFound, requestUrl, sendJson } from './http-util';
import { productIdFrom } from './product-id';
import { SampleApp, SampleDefinition } from './sample-app';

export interface ProductLookupProps {
  readonly name: string;
  /** The `status` `/health` answers, e.g. `Details is healthy`. */
  readonly healthStatus: string;
  /** The path before the product id, e.g. `/details/`. */
  readonly pathPrefix: string;
  /** The JSON body for product `id`. */
  answer(id: number): unknown;
}

/** A sample on port 9080, version v1 only, answering product lookups as described above. */
export function productLookupSample(props: ProductLookupProps): SampleDefinition {
  return {
    name: props.name,
    defaultPort: 9080,
    versions: ['v1'],
    create({ version }): SampleApp {
      const versionHeader = { 'x-bookinfo-version': version };
      return {
        handle(request, response) {
          const path = requestUrl(request).pathname;
          if (path === '/health') return sendJson(response, 200, { status: props.healthStatus }, versionHeader);
          const id = productIdFrom(path, props.pathPrefix);
          if (id === undefined) return notFound(response);
          if (request.method !== 'GET') return methodNotAllowed(response, 'GET');
          return sendJson(response, 200, props.answer(id), versionHeader);
        },
      };
    },
  };
}
