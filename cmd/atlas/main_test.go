package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMainDoc_ListsEverySubcommand(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("main.go")
	require.NoError(t, err)
	doc := string(src[:strings.Index(string(src), "package main")])
	for name := range commands() {
		assert.Contains(t, doc, "atlas "+name+" ", "the package doc does not list `atlas %s`", name)
	}
}
