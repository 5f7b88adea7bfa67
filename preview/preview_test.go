package preview_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/atlasapp/atlas/enrich"
	"github.com/atlasapp/atlas/preview"
)

// site serves files on a loopback address: path → (Content-Type, body).
func site(t *testing.T, files map[string][2]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", f[0])
		_, _ = w.Write([]byte(f[1]))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// loopbackMaker may reach the test's sites (a test-only setting).
func loopbackMaker(opts preview.Opts) *preview.Maker {
	opts.Fetch.AllowLoopback = true
	return preview.NewMaker(opts)
}

// photo encodes a w × h gradient as JPEG or PNG.
func photo(t *testing.T, w, h int, asPNG bool) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if asPNG {
		require.NoError(t, png.Encode(&buf, img))
	} else {
		require.NoError(t, jpeg.Encode(&buf, img, nil))
	}
	return buf.String()
}

func requireFailure(t *testing.T, err error, code preview.Code) *preview.Failure {
	t.Helper()
	var f *preview.Failure
	require.ErrorAs(t, err, &f)
	require.Equal(t, code, f.Code, f.Error())
	require.NotEmpty(t, f.Reason)
	return f
}

func TestMake_GoodImagesBecomeBoundedThumbnailsOfAtlasOwnEncoding(t *testing.T) {
	t.Parallel()
	jpg, pngData := photo(t, 1200, 630, false), photo(t, 180, 180, true)
	s := site(t, map[string][2]string{
		"/og.jpg":  {"image/jpeg", jpg},
		"/icon":    {"application/octet-stream", pngData}, // sniffed, not believed
		"/small":   {"image/png", photo(t, 32, 16, true)},
		"/fav.ico": {"image/x-icon", ico(t, pngData)},
	})
	m := loopbackMaker(preview.Opts{})
	ctx := t.Context()

	img, err := m.Make(ctx, s.URL+"/og.jpg", preview.KindPreview)
	require.NoError(t, err)
	require.Equal(t, "image/jpeg", img.ContentType)
	require.Equal(t, [2]int{640, 336}, [2]int{img.Width, img.Height}, "fits the preview box, aspect kept")
	require.NotEqual(t, jpg, string(img.Data), "re-encoded, not passed through")
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.Data))
	require.NoError(t, err)
	require.Equal(t, 640, cfg.Width)

	img, err = m.Make(ctx, s.URL+"/icon", preview.KindIcon)
	require.NoError(t, err)
	require.Equal(t, "image/png", img.ContentType)
	require.Equal(t, "png", img.SourceFormat)
	require.Equal(t, [2]int{64, 64}, [2]int{img.Width, img.Height})
	_, err = png.Decode(bytes.NewReader(img.Data))
	require.NoError(t, err)

	img, err = m.Make(ctx, s.URL+"/small", preview.KindPreview)
	require.NoError(t, err)
	require.Equal(t, [2]int{32, 16}, [2]int{img.Width, img.Height}, "never enlarged")

	img, err = m.Make(ctx, s.URL+"/fav.ico", preview.KindIcon)
	require.NoError(t, err)
	require.Equal(t, "ico", img.SourceFormat)
	require.Equal(t, 64, img.Width)
}

func TestMake_RefusesAFileOverTheByteLimit(t *testing.T) {
	t.Parallel()
	big := photo(t, 300, 300, true)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		if r.URL.Path == "/chunked" {
			// No Content-Length: the limit is met while reading.
			w.(http.Flusher).Flush()
		} else {
			w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		}
		_, _ = w.Write([]byte(big))
	}))
	t.Cleanup(s.Close)
	m := loopbackMaker(preview.Opts{MaxBytes: int64(len(big)) - 1})
	for _, path := range []string{"/declared", "/chunked"} {
		_, err := m.Make(t.Context(), s.URL+path, preview.KindPreview)
		f := requireFailure(t, err, preview.CodeTooLarge)
		require.False(t, f.Transient, path)
	}
	_, err := loopbackMaker(preview.Opts{MaxBytes: int64(len(big))}).Make(t.Context(), s.URL+"/declared", preview.KindPreview)
	require.NoError(t, err, "at the limit is fine")
}

func TestMake_RefusesWhatIsNotAnImageWhateverItsContentType(t *testing.T) {
	t.Parallel()
	s := site(t, map[string][2]string{
		"/page.png":  {"image/png", "<html><script>alert(1)</script></html>"},
		"/logo.svg":  {"image/svg+xml", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`},
		"/broken":    {"image/png", "\x89PNG\r\n\x1a\n" + "not really"},
		"/empty.ico": {"image/x-icon", "\x00\x00\x01\x00\x00\x00"},
	})
	m := loopbackMaker(preview.Opts{})
	for path, code := range map[string]preview.Code{"/page.png": preview.CodeNotImage, "/logo.svg": preview.CodeNotImage,
		"/broken": preview.CodeUndecodable, "/empty.ico": preview.CodeUndecodable} {
		_, err := m.Make(t.Context(), s.URL+path, preview.KindPreview)
		requireFailure(t, err, code)
	}
}

// bombPNG is a valid 8-bit grey PNG of side × side pixels, all black: a
// few hundred KB that a decoder would inflate to side² bytes.
func bombPNG(t *testing.T, side int) string {
	t.Helper()
	chunk := func(buf *bytes.Buffer, typ string, data []byte) {
		_ = binary.Write(buf, binary.BigEndian, uint32(len(data)))
		buf.WriteString(typ)
		buf.Write(data)
		_ = binary.Write(buf, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(side))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(side))
	ihdr[8], ihdr[9] = 8, 0 // 8-bit greyscale
	chunk(&out, "IHDR", ihdr)
	var idat bytes.Buffer
	zw, err := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	require.NoError(t, err)
	row := make([]byte, side+1) // filter byte + pixels
	for range side {
		_, err := zw.Write(row)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	chunk(&out, "IDAT", idat.Bytes())
	chunk(&out, "IEND", nil)
	return out.String()
}

// A decompression bomb is refused from its header: decoding it would take
// 100 MB, and refusing it takes next to nothing. Not parallel: it measures
// the process's allocations while it runs alone.
func TestMake_RefusesADecompressionBombBeforeDecodingIt(t *testing.T) {
	bomb := bombPNG(t, 10000) // 10^8 pixels, within MaxSide
	require.Less(t, len(bomb), 1<<20, "the bomb is small on the wire")
	s := site(t, map[string][2]string{"/bomb.png": {"image/png", bomb}})
	m := loopbackMaker(preview.Opts{})

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := m.Make(t.Context(), s.URL+"/bomb.png", preview.KindPreview)
	runtime.ReadMemStats(&after)
	requireFailure(t, err, preview.CodeTooManyPixels)
	require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(20<<20), "refused before decoding: nothing near 100 MB was allocated")

	side := bombPNG(t, 20000) // one side over MaxSide, still under a raised pixel limit
	s2 := site(t, map[string][2]string{"/wide.png": {"image/png", side}})
	_, err = loopbackMaker(preview.Opts{MaxPixels: 1 << 40}).Make(t.Context(), s2.URL+"/wide.png", preview.KindPreview)
	requireFailure(t, err, preview.CodeTooManyPixels)
}

// An image on a private network (here the loopback interface) is refused by
// the enrichment guard unless the operator allows it (ATLAS_FETCH_ALLOW).
func TestMake_ImageOnAPrivateNetworkIsRefusedUnlessAllowed(t *testing.T) {
	t.Parallel()
	s := site(t, map[string][2]string{"/og.png": {"image/png", photo(t, 10, 10, true)}})
	_, err := preview.NewMaker(preview.Opts{}).Make(t.Context(), s.URL+"/og.png", preview.KindPreview)
	f := requireFailure(t, err, preview.CodeBlocked)
	require.ErrorIs(t, err, enrich.ErrBlockedAddress)
	require.False(t, f.Transient)

	allow, err := enrich.ParseAllowList([]string{"127.0.0.1"})
	require.NoError(t, err)
	img, err := preview.NewMaker(preview.Opts{Fetch: enrich.FetcherOpts{Allow: allow}}).Make(t.Context(), s.URL+"/og.png", preview.KindPreview)
	require.NoError(t, err)
	require.Equal(t, 10, img.Width)
}

func TestMake_ServerErrorsAreTransientNotFoundIsNot(t *testing.T) {
	t.Parallel()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/busy" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	m := loopbackMaker(preview.Opts{})
	_, err := m.Make(t.Context(), s.URL+"/busy", preview.KindPreview)
	require.True(t, requireFailure(t, err, preview.CodeUnavailable).Transient)
	_, err = m.Make(t.Context(), s.URL+"/gone", preview.KindPreview)
	require.False(t, requireFailure(t, err, preview.CodeUnavailable).Transient)
}

// ico wraps a PNG in an ICO file with one entry.
func ico(t *testing.T, pngData string) string {
	t.Helper()
	var b bytes.Buffer
	_ = binary.Write(&b, binary.LittleEndian, []uint16{0, 1, 1})
	b.Write([]byte{0, 0, 0, 0})                                // 256 × 256, no palette, reserved
	_ = binary.Write(&b, binary.LittleEndian, []uint16{1, 32}) // planes, bits per pixel
	_ = binary.Write(&b, binary.LittleEndian, []uint32{uint32(len(pngData)), 22})
	b.WriteString(pngData)
	return b.String()
}
