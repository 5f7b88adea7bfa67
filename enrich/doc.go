// Package enrich fetches the page behind an item's URL and extracts its
// metadata (title, description, canonical URL, site name, favicon, preview
// image, language, charset) for Atlas' background enrichment job.
//
// The URLs come from users, so fetching them is a server-side request
// forgery risk: a user could point Atlas at the cloud metadata service, at a
// database on the private network or at the worker's own loopback
// interface. A [Fetcher] therefore:
//
//   - accepts only http and https URLs without userinfo, on every hop;
//   - checks the IP address at dial time, after DNS resolution, in the
//     dialer's Control hook, so every connection attempt is covered: each
//     redirect hop, each address a name resolves to, and DNS rebinding (the
//     address that is checked is the address that is connected to);
//   - refuses loopback, private, carrier-grade NAT, link-local (including
//     169.254.169.254), unique-local, unspecified, multicast, broadcast,
//     reserved, documentation and benchmarking ranges, and the IPv4-mapped,
//     NAT64 and 6to4 IPv6 forms of those IPv4 ranges;
//   - never uses a proxy from the environment;
//   - follows at most MaxRedirects redirects, reads at most MaxBodyBytes of
//     body and gives up after TotalTimeout.
//
// Errors are classified for the job's retry decision: [retry.IsPermanent] reports
// errors that will not go away by retrying (blocked or invalid URLs, most
// 4xx responses, redirect loops); everything else (timeouts, connection
// errors, 408, 425, 429, 5xx) is transient.
package enrich
