/** The HTML of productpage: the index, the product page and its stylesheet. */
import { BookDetails } from './details';
import { escapeHtml } from './http-util';
import { ProductReviews, Review } from './reviews';

export const DETAILS_UNAVAILABLE = 'Sorry, product details are currently unavailable for this book.';
export const REVIEWS_UNAVAILABLE = 'Sorry, product reviews are currently unavailable for this book.';

export interface Product {
  readonly id: number;
  readonly title: string;
  readonly descriptionHtml: string;
}

/** What the product page shows; each part is what its service answered, or undefined when it did not. */
export interface ProductView {
  readonly product: Product;
  readonly user?: string;
  readonly details?: BookDetails;
  readonly reviews?: ProductReviews;
  /** The version that answered the reviews call (`x-bookinfo-version`). */
  readonly reviewsVersion?: string;
}

/** The stylesheet served at `/static/bookinfo.css`. */
export const BOOKINFO_CSS = `body { font-family: sans-serif; margin: 0; color: #222; }
nav { background: #2d3e50; color: #fff; padding: 0.6em 1em; display: flex; justify-content: space-between; }
nav a, nav button { color: #fff; }
main { max-width: 60em; margin: 1em auto; padding: 0 1em; }
.columns { display: flex; gap: 2em; }
.columns > section { flex: 1; }
dt { font-weight: bold; }
blockquote { border-left: 3px solid #ccc; margin: 1em 0; padding-left: 1em; }
.stars { font-size: 1.3em; letter-spacing: 0.1em; }
.error { color: #a00; }
.served-by { color: #666; font-size: 0.9em; }
`;

function page(title: string, user: string | undefined, body: string): string {
  const session = user
    ? `<span>Signed in as <b class="user">${escapeHtml(user)}</b> <a href="/logout">Sign out</a></span>`
    : `<form method="post" action="/login"><label>User <input name="username" size="10"></label> <button type="submit">Sign in</button></form>`;
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title><link rel="stylesheet" href="/static/bookinfo.css"></head>
<body>
<nav><a href="/productpage">BookInfo Sample</a>${session}</nav>
<main>
${body}
</main>
</body>
</html>
`;
}

export function renderIndex(): string {
  return page('Simple Bookstore App', undefined, `<h1>Simple Bookstore App</h1>
<p>Each product page shows the book's details (from the details service) and its reviews
(from one of the three versions of the reviews service, which may ask ratings for stars).</p>
<ul>
<li><a href="/productpage">The product page</a></li>
<li><a href="/api/v1/products">/api/v1/products</a>, <a href="/api/v1/products/0">/api/v1/products/0</a>,
<a href="/api/v1/products/0/reviews">/api/v1/products/0/reviews</a>, <a href="/api/v1/products/0/ratings">/api/v1/products/0/ratings</a></li>
</ul>`);
}

function renderDetails(details: BookDetails | undefined): string {
  if (!details) return `<p class="error details-error">${DETAILS_UNAVAILABLE}</p>`;
  const rows: Array<[string, string | number]> = [
    ['Type', details.type], ['Pages', details.pages], ['Publisher', details.publisher],
    ['Language', details.language], ['ISBN-10', details['ISBN-10']], ['ISBN-13', details['ISBN-13']],
  ];
  return `<p class="author">${escapeHtml(details.author)}, ${details.year}</p>
<dl class="details">
${rows.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(String(v))}</dd>`).join('\n')}
</dl>`;
}

function renderStars(review: Review): string {
  const rating = review.rating;
  if (!rating) return '';
  if ('error' in rating) return `<p class="error rating-error">${escapeHtml(rating.error)}</p>`;
  const stars = Math.max(0, Math.min(5, Math.round(rating.stars)));
  const color = rating.color === 'red' ? 'red' : 'black';
  return `<span class="stars" data-stars="${stars}" data-color="${color}" style="color: ${color}">${'★'.repeat(stars)}${'☆'.repeat(5 - stars)}</span>`;
}

function renderReviews(reviews: ProductReviews | undefined, version: string | undefined): string {
  if (!reviews) return `<p class="error reviews-error">${REVIEWS_UNAVAILABLE}</p>`;
  const items = reviews.reviews.map((r) => `<blockquote class="review">
<p>${escapeHtml(r.text)}</p>
<footer>${escapeHtml(r.reviewer)}</footer>
${renderStars(r)}
</blockquote>`);
  return `${items.join('\n')}
<p class="served-by" data-reviews-version="${escapeHtml(version ?? '')}">Reviews served by: <b>${escapeHtml(reviews.podname)}</b>${version ? ` (${escapeHtml(version)})` : ''}</p>`;
}

export function renderProductPage(view: ProductView): string {
  return page('Simple Bookstore App', view.user, `<h1>${escapeHtml(view.product.title)}</h1>
<p class="summary">${view.product.descriptionHtml}</p>
<div class="columns">
<section><h2>Book Details</h2>
${renderDetails(view.details)}
</section>
<section><h2>Book Reviews</h2>
${renderReviews(view.reviews, view.reviewsVersion)}
</section>
</div>`);
}
