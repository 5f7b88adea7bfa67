// Package itemtest holds test data generators for the item package's
// importer, shared by its benchmarks and the process-level ones of
// cmd/atlas.
package itemtest

import (
	"bytes"
	"fmt"
)

// BookmarkFile is a Netscape bookmark file of n links as a browser writes
// it: a toolbar folder holding folders of a hundred links each, every link
// with an ADD_DATE, a TAGS attribute, a non-ASCII title and a <DD>
// description. Link i points at https://site<i mod 500>.example.com, so
// the links spread over 500 hosts.
func BookmarkFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n")
	b.WriteString("<DT><H3 PERSONAL_TOOLBAR_FOLDER=\"true\">Bookmarks bar</H3>\n<DL><p>\n")
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			if i > 0 {
				b.WriteString("</DL><p>\n")
			}
			fmt.Fprintf(&b, "<DT><H3 ADD_DATE=\"1700000000\">Folder %d</H3>\n<DL><p>\n", i/100)
		}
		fmt.Fprintf(&b, "<DT><A HREF=\"https://site%d.example.com/articles/%d?ref=bookmarks\" ADD_DATE=\"%d\" TAGS=\"t%d\">Article number %d — café</A>\n<DD>Description of article %d\n",
			i%500, i, 1700000000+i, i%20, i, i)
	}
	b.WriteString("</DL><p>\n</DL><p>\n</DL><p>\n")
	return b.Bytes()
}
