// Package preview turns the preview image (og:image) and the site icon an
// enriched page names into small images of Atlas' own, so that the
// dashboard can show them without the browser ever loading anything from
// the page's site (privacy, and a strict Content-Security-Policy).
//
// The image URL comes from a page, so it is as untrusted as the page, and
// the bytes behind it more so. A [Maker]:
//
//   - fetches through the enrichment guard (enrich.Fetcher.Transport: the
//     URL rules on every hop, the address check at dial time,
//     ATLAS_FETCH_ALLOW honoured), with a redirect limit and a time limit;
//   - reads at most MaxBytes (a Content-Length above it is refused before
//     the body is read);
//   - sniffs the bytes (http.DetectContentType), never trusting the
//     Content-Type header: PNG, JPEG, GIF and WebP are accepted, an ICO
//     file when it holds a PNG image; SVG and everything else is refused;
//   - reads the dimensions from the header (DecodeConfig) and refuses an
//     image of more than MaxPixels pixels or a side over MaxSide before
//     decoding a single pixel, so a decompression bomb (a few KB of
//     compressed data that would inflate to gigabytes) costs nothing;
//   - decodes with the Go standard library's and golang.org/x/image's
//     decoders and re-encodes a thumbnail that fits a fixed box (JPEG for
//     previews, PNG for icons), so nothing the site served is passed on.
//
// Failures are a [*Failure] with a [Code] and a sentence for people;
// Transient marks the ones a later attempt may not meet (network errors,
// 5xx, 429). Storage and serving are the archive package's.
package preview
