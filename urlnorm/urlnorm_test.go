package urlnorm_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/urlnorm"
)

func TestNormalize_RealWorldVariantsMeetOnOneKey(t *testing.T) {
	t.Parallel()
	groups := []struct {
		name string
		want string
		in   []string
	}{
		{"scheme, host case, www, trailing slash, fragment", "https://go.dev/ref/mem", []string{
			"https://go.dev/ref/mem",
			"HTTPS://Go.Dev/ref/mem",
			"https://www.go.dev/ref/mem/",
			"https://go.dev:443/ref/mem#tldr",
			"https://go.dev/ref/./mem",
			"https://go.dev/ref/x/../mem",
			"  https://go.dev/ref/mem  ",
			"https://go.dev./ref/mem",
		}},
		{"root", "http://example.com", []string{
			"http://example.com", "http://example.com/", "http://EXAMPLE.com:80/", "http://www.example.com/#top",
		}},
		{"tracking parameters and query order", "https://news.example.org/story?id=7&page=2", []string{
			"https://news.example.org/story?id=7&page=2",
			"https://news.example.org/story?page=2&id=7",
			"https://news.example.org/story?utm_source=twitter&id=7&utm_medium=social&page=2&utm_campaign=x",
			"https://news.example.org/story?id=7&fbclid=IwAR0abc&page=2",
			"https://news.example.org/story?gclid=Cj0&id=7&page=2&mc_eid=abc123&mc_cid=def",
			"https://news.example.org/story?id=7&&page=2&UTM_Content=x&msclkid=1&_hsenc=p2&igshid=z",
		}},
		{"only tracking parameters", "https://blog.example.com/post", []string{
			"https://blog.example.com/post?utm_source=rss",
			"https://blog.example.com/post/?utm_source=rss&utm_medium=feed#comments",
			"https://blog.example.com/post?",
		}},
		{"IDN and punycode", "https://xn--caf-dma.example/men%C3%BC", []string{
			"https://café.example/menü",
			"https://CAFÉ.example/men%c3%bc",
			"https://xn--caf-dma.example/men%C3%BC",
			"https://www.xn--caf-dma.example/men%C3%BC/",
		}},
		{"IPv6 literals", "http://[2001:db8::1]:8080/a", []string{
			"http://[2001:db8::1]:8080/a",
			"http://[2001:DB8:0:0:0:0:0:1]:8080/a/",
			"http://[2001:0db8::0001]:8080/a#x",
		}},
		{"IPv6 default port", "https://[::1]/x", []string{
			"https://[::1]:443/x", "https://[0:0:0:0:0:0:0:1]/x",
		}},
		{"percent-encoding", "https://example.com/~user/a%2Fb/a%20b", []string{
			"https://example.com/~user/a%2Fb/a%20b",
			"https://example.com/%7Euser/a%2fb/a%20b",
			"https://example.com/%7euser/a%2Fb/a b",
		}},
		{"unreserved escapes decoded, reserved kept", "https://example.com/search?q=a%2Bb&tag=caf%C3%A9", []string{
			"https://example.com/search?q=a%2bb&tag=caf%c3%a9",
			"https://example.com/search?tag=café&q=a%2Bb",
			"https://example.com/search?q=a%2Bb&tag=caf%C3%A9&utm_term=x",
		}},
		{"hash routes are kept", "https://app.example.com#!/inbox", []string{
			"https://app.example.com/#!/inbox", "https://www.app.example.com#!/inbox",
		}},
		{"non-default ports are kept", "http://localhost:8080/x", []string{
			"http://localhost:8080/x/", "HTTP://LOCALHOST:8080/x#y",
		}},
		{"user info is kept", "https://user@example.com/x", []string{
			"https://user@example.com/x/", "https://user@www.example.com/x",
		}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, in := range g.in {
				got, err := urlnorm.Normalize(in)
				require.NoError(t, err, in)
				require.Equal(t, g.want, got, "Normalize(%q)", in)
			}
		})
	}
}

func TestNormalize_DifferentPagesStayApart(t *testing.T) {
	t.Parallel()
	pairs := [][2]string{
		{"http://example.com/a", "https://example.com/a"},
		{"https://example.com/a", "https://example.com/A"},
		{"https://example.com/a?id=1", "https://example.com/a?id=2"},
		{"https://example.com:8443/a", "https://example.com/a"},
		{"https://example.com/a%2Fb", "https://example.com/a/b"},
		{"https://blog.example.com/a", "https://example.com/a"},
		{"https://example.com/search?q=a+b", "https://example.com/search?q=a%2Bb"},
		{"https://app.example.com/#/inbox", "https://app.example.com/#/sent"},
		{"https://www.com/a", "https://com/a"},
	}
	for _, p := range pairs {
		a, err := urlnorm.Normalize(p[0])
		require.NoError(t, err)
		b, err := urlnorm.Normalize(p[1])
		require.NoError(t, err)
		require.NotEqual(t, a, b, "%q and %q must stay different", p[0], p[1])
	}
}

func TestNormalize_RejectsWhatIsNotAnHTTPURL(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "example.com/a", "ftp://example.com/", "javascript:alert(1)", "https://", "http://[::1", "mailto:a@example.com", "https://:80/"} {
		_, err := urlnorm.Normalize(in)
		require.ErrorIs(t, err, urlnorm.ErrNotHTTP, in)
	}
}

func TestNormalize_IsIdempotent(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"https://café.example/menü?b=2&a=1&utm_source=x#f", "http://[2001:DB8::1]:80/%7e/", "https://example.com/a%2fb?q=%e2%82%ac"} {
		once, err := urlnorm.Normalize(in)
		require.NoError(t, err)
		twice, err := urlnorm.Normalize(once)
		require.NoError(t, err)
		require.Equal(t, once, twice, in)
	}
}

func TestNormalize_UnusualEncodingsMeetOnOneKey(t *testing.T) {
	t.Parallel()
	groups := []struct {
		name string
		want string
		in   []string
	}{
		{"full-width and upper-case host letters", "https://example.com/a", []string{
			"https://ＥＸＡＭＰＬＥ.com/a", "https://EXAMPLE.COM./a", "https://www.ｅｘａｍｐｌｅ.com/a/",
		}},
		{"composed and decomposed IDN hosts", "https://xn--caf-dma.example", []string{
			"https://café.example", "https://cafe\u0301.example/", "https://XN--CAF-DMA.EXAMPLE/",
		}},
		{"non-UTF-8 bytes and lower-case escapes", "https://example.com/caf%E9", []string{
			"https://example.com/caf%e9", "https://example.com/caf\xe9", "https://example.com/caf%E9/",
		}},
		{"escaped dots resolve like dots", "https://example.com/b", []string{
			"https://example.com/a/%2e%2e/b", "https://example.com/a/%2E./b", "https://example.com/a/../b/", "https://example.com/%2e/b",
		}},
		{"a stray percent sign in the query is escaped", "https://example.com/q?off=100%25", []string{
			"https://example.com/q?off=100%", "https://example.com/q?off=100%25",
		}},
		{"IPv4-mapped IPv6 literals", "http://[::ffff:192.0.2.1]/x", []string{
			"http://[::ffff:c000:201]/x", "http://[::FFFF:192.0.2.1]:80/x/",
		}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, in := range g.in {
				got, err := urlnorm.Normalize(in)
				require.NoError(t, err, in)
				require.Equal(t, g.want, got, "Normalize(%q)", in)
			}
		})
	}
}
