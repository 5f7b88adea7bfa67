package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/atlasapp/atlas/item"
)

// queryText is a user's query split into what each part asks for.
//
//	lighthouse keeper       both words (each in any field; small typos allowed)
//	"fog signal"            these words next to each other, in this order (no typos)
//	-storm  -"salted fish"  nothing containing this word or phrase
//	status:dead             only items whose link has this status (item.ParseLinkStatuses:
//	                        a status, or dead / attention); several widen the choice
type queryText struct {
	// LinkStatuses restricts results to items whose link has one of these statuses.
	LinkStatuses []string
	// Words must each match (fuzzily) in some field, unless the query is relaxed.
	Words []string
	// Phrases must each match exactly, word for word, in one field.
	Phrases []string
	// Excluded words and phrases must not occur in any field.
	Excluded []string
}

// empty reports whether the query asks for nothing but exclusions (or nothing at all).
func (q queryText) empty() bool { return len(q.Words) == 0 && len(q.Phrases) == 0 }

// parseQueryText splits text into words, "quoted phrases" and -excluded words or -"phrases".
// An unclosed quote runs to the end. A lone "-" and empty quotes are ignored; a "-" inside a
// word (well-known) is part of the word.
func parseQueryText(text string) queryText {
	var q queryText
	rest := strings.TrimSpace(text)
	for rest != "" {
		exclude := false
		if rest[0] == '-' {
			exclude = true
			rest = rest[1:]
		}
		var part string
		quoted := strings.HasPrefix(rest, `"`)
		if quoted {
			rest = rest[1:]
			end := strings.IndexByte(rest, '"')
			if end < 0 {
				end = len(rest)
			}
			part, rest = rest[:end], rest[min(end+1, len(rest)):]
		} else {
			end := strings.IndexFunc(rest, unicode.IsSpace)
			if end < 0 {
				end = len(rest)
			}
			part, rest = rest[:end], rest[end:]
		}
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		part = strings.Join(strings.Fields(part), " ")
		if part == "" || part == "-" {
			continue
		}
		if st, ok := strings.CutPrefix(part, "status:"); ok && !exclude && !quoted {
			if statuses, err := item.ParseLinkStatuses([]string{strings.ToLower(st)}); err == nil {
				q.LinkStatuses = append(q.LinkStatuses, statuses...)
				continue
			}
		}
		switch {
		case exclude:
			q.Excluded = append(q.Excluded, part)
		case quoted && strings.Contains(part, " "):
			q.Phrases = append(q.Phrases, part)
		default: // a quoted single word is just a word
			q.Words = append(q.Words, part)
		}
	}
	return q
}

// fuzzinessFor is how many typos a word may contain and still match: none for words of up to
// three letters and for numbers (a one-letter change turns "cat" into "car" and "4242" into
// "4243": different things), one from four letters, two from ten. (Two typos for shorter words
// match too many other words, and the two-typo automaton costs several times more to build and
// run against each field's term dictionary: see the README's Performance section.)
func fuzzinessFor(word string) string {
	if strings.IndexFunc(word, unicode.IsLetter) < 0 {
		return "0"
	}
	switch n := utf8.RuneCountInString(word); {
	case n <= 3:
		return "0"
	case n <= 9:
		return "1"
	default:
		return "2"
	}
}
