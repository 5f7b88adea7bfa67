package enrich

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"codeberg.org/readeck/go-readability/v2"
	"github.com/ledongthuc/pdf"
	"golang.org/x/text/transform"
)

// MaxTextBytes caps the readable text kept of one page: 512 KiB of UTF-8. Longer text is cut at
// a character boundary and marked truncated.
const MaxTextBytes = 512 << 10

// PageText is the readable text of a fetched page, or why there is none.
type PageText struct {
	// Text is the page's readable content as plain text: paragraphs separated by a blank line,
	// runs of spaces collapsed, at most MaxTextBytes. Empty when SkipReason is set.
	Text string
	// Truncated is set when the page had more text than MaxTextBytes (or the body itself was cut
	// at the fetcher's MaxBodyBytes).
	Truncated bool
	// SkipReason says why no text was extracted (an unsupported content type, a PDF without a
	// text layer, an empty page); empty when Text holds the page's text.
	SkipReason string
}

// extractHTMLText returns the main readable content of an HTML page (the readability
// algorithm: navigation, sidebars and boilerplate dropped), falling back to every visible text
// node when the algorithm finds no article.
func extractHTMLText(body []byte, contentType string, pageURL *url.URL) PageText {
	enc, name := determineEncoding(body, contentType)
	var r io.Reader = bytes.NewReader(body)
	if name != "utf-8" {
		r = transform.NewReader(r, enc.NewDecoder())
	}
	article, err := readability.FromReader(r, pageURL)
	if err != nil || article.Node == nil {
		return PageText{SkipReason: "the page has no readable text"}
	}
	var b strings.Builder
	if err := article.RenderText(&b); err != nil {
		return PageText{SkipReason: "the page has no readable text"}
	}
	return finishText(b.String(), "the page has no readable text")
}

// extractPlainText returns a text/* body decoded to UTF-8.
func extractPlainText(body []byte, contentType string) PageText {
	enc, name := determineEncoding(body, contentType)
	text := string(body)
	if name != "utf-8" {
		decoded, _, err := transform.Bytes(enc.NewDecoder(), body)
		if err == nil {
			text = string(decoded)
		}
	}
	return finishText(text, "the document is empty")
}

// extractPDFText returns the text layer of a PDF document. A malformed or truncated file, or one
// whose pages hold only images, is skipped with the reason; the parser's panics on hostile
// input are contained here.
func extractPDFText(body []byte, bodyTruncated bool) (out PageText) {
	if bodyTruncated {
		return PageText{SkipReason: "the PDF is larger than the fetch limit"}
	}
	defer func() {
		if r := recover(); r != nil {
			out = PageText{SkipReason: fmt.Sprintf("the PDF could not be read: %v", r)}
		}
	}()
	doc, err := pdf.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		return PageText{SkipReason: "the PDF could not be read: " + err.Error()}
	}
	var b strings.Builder
	fonts := map[string]*pdf.Font{}
	for i := 1; i <= doc.NumPage(); i++ {
		page := doc.Page(i)
		if page.V.IsNull() {
			continue
		}
		for _, name := range page.Fonts() {
			if _, ok := fonts[name]; !ok {
				f := page.Font(name)
				fonts[name] = &f
			}
		}
		text, err := page.GetPlainText(fonts)
		if err != nil {
			return PageText{SkipReason: "the PDF could not be read: " + err.Error()}
		}
		b.WriteString(text)
		b.WriteString("\n\n")
		if b.Len() > 2*MaxTextBytes {
			break // enough: the rest would be cut anyway
		}
	}
	return finishText(b.String(), "the PDF has no text layer (scanned pages?)")
}

// finishText normalises extracted text (valid UTF-8, no control characters, spaces collapsed
// within lines, at most one blank line between paragraphs) and caps it at MaxTextBytes.
// Text that is blank afterwards is skipped with emptyReason.
func finishText(raw, emptyReason string) PageText {
	raw = strings.ToValidUTF8(raw, "\uFFFD")
	var b strings.Builder
	blank := false
	for line := range strings.Lines(raw) {
		line = strings.Join(strings.FieldsFunc(line, isSpaceOrControl), " ")
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n\n")
		} else if b.Len() > 0 {
			b.WriteByte('\n')
		}
		blank = false
		b.WriteString(line)
		if b.Len() > MaxTextBytes {
			break
		}
	}
	text := b.String()
	if text == "" {
		return PageText{SkipReason: emptyReason}
	}
	out := PageText{Text: text}
	if len(text) > MaxTextBytes {
		cut := MaxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		out.Text, out.Truncated = strings.TrimRight(text[:cut], " \n"), true
	}
	return out
}

func isSpaceOrControl(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }
