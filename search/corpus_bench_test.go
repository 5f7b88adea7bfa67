package search_test

import (
	"math"
	"math/rand/v2"
	"strings"
)

// corpusVersion names the generated corpus; change it whenever the generator changes, so a
// cached benchmark index of an older corpus is never reused.
const corpusVersion = "zipf2"

// corpus generates reproducible text whose word frequencies follow Zipf's law, as natural
// language does: a few short words are everywhere, most words are rare, and rarer words tend to
// be longer. Ranks are drawn from rand.Zipf over a 40,000-word vocabulary of pronounceable
// made-up words (consonant-vowel patterns, 2 to 13 letters, no two alike).
type corpus struct {
	rng   *rand.Rand
	zipf  *rand.Zipf
	words []string
	tags  []string
}

// vocabularySize is how many distinct words the corpus draws from.
const vocabularySize = 40_000

func newCorpus(seed uint64) *corpus {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	c := &corpus{rng: rng, zipf: rand.NewZipf(rng, 1.07, 2, vocabularySize-1)}
	consonants, vowels := "bcdfghjklmnprstvwz", "aeiou"
	seen := map[string]bool{}
	for len(c.words) < vocabularySize {
		rank := len(c.words) + 1
		// Word length grows with the logarithm of the rank: 2–3 letters for the top ten words,
		// about 8 around rank 5,000.
		n := 2 + int(math.Log10(float64(rank))*1.5) + rng.IntN(3)
		n = min(n, 13)
		var w strings.Builder
		for i := range n {
			if i%2 == rng.IntN(2)%2 {
				w.WriteByte(consonants[rng.IntN(len(consonants))])
			} else {
				w.WriteByte(vowels[rng.IntN(len(vowels))])
			}
		}
		if !seen[w.String()] {
			seen[w.String()] = true
			c.words = append(c.words, w.String())
		}
	}
	for i := range 200 {
		c.tags = append(c.tags, c.words[200+i*37])
	}
	return c
}

// word draws a word by Zipf frequency.
func (c *corpus) word() string { return c.words[c.zipf.Uint64()] }

// queryWord draws a word people would search for: neither a stop word nor a hapax, uniformly
// from ranks 100 to 10,000.
func (c *corpus) queryWord(rng *rand.Rand) string { return c.words[100+rng.IntN(9900)] }

// text returns between minWords and maxWords words.
func (c *corpus) text(minWords, maxWords int) string {
	n := minWords + c.rng.IntN(maxWords-minWords+1)
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.word())
	}
	return b.String()
}

// pageText returns a page of text of about minBytes to maxBytes, log-uniformly distributed (many
// short pages, some long ones), in paragraphs of 40 to 120 words.
func (c *corpus) pageText(minBytes, maxBytes int) string {
	size := int(float64(minBytes) * math.Pow(float64(maxBytes)/float64(minBytes), c.rng.Float64()))
	var b strings.Builder
	b.Grow(size + 128)
	for b.Len() < size {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(c.text(40, 120))
	}
	return b.String()
}

// typo changes one letter of word (not the first one).
func typo(rng *rand.Rand, word string) string {
	b := []byte(word)
	i := 1 + rng.IntN(len(b)-1)
	b[i] = "abcdefghijklmnopqrstuvwxyz"[rng.IntN(26)]
	if string(b) == word {
		b[i] = 'q'
	}
	return string(b)
}
