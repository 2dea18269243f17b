import { Construct } from 'constructs';

/** A resource name from the construct id: lower-cased, other characters turned into '-'. */
export function defaultName(c: Construct): string {
  return c.node.id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'default';
}
