/** Parses the product id of bookinfo paths such as `/details/0`. */

/** The id at the end of `path` after `prefix` (`/details/`), or undefined when the path is not that shape. */
export function productIdFrom(path: string, prefix: string): number | undefined {
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length);
  if (!/^\d{1,9}$/.test(rest)) return undefined;
  return Number(rest);
}
