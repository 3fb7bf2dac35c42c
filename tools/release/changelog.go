package main

import (
	"errors"
	"fmt"
	"strings"
)

// ErrEmptyUnreleased is returned when a changelog has nothing under its
// [Unreleased] heading: there is nothing to release.
var ErrEmptyUnreleased = errors.New("nothing under ## [Unreleased]")

const unreleasedHeading = "## [Unreleased]"

// MoveUnreleased moves what the changelog has under "## [Unreleased]" under a
// new heading "## [X.Y.Z] - date" (version without its "v", as Keep a
// Changelog writes it), and leaves a fresh, empty "## [Unreleased]" on top.
// Everything else of the text is kept byte for byte.
func MoveUnreleased(text, version, date string) (string, error) {
	version = strings.TrimPrefix(version, "v")
	lines := strings.SplitAfter(text, "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimRight(l, " \t\r\n") == unreleasedHeading {
			if start >= 0 {
				return "", errors.New("two ## [Unreleased] headings")
			}
			start = i
		}
		if strings.HasPrefix(l, "## ["+version+"]") {
			return "", fmt.Errorf("already has a ## [%s] section", version)
		}
	}
	if start < 0 {
		return "", errors.New("no ## [Unreleased] heading")
	}
	end := len(lines)
	for i := start + 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "## ") {
			end = i
			break
		}
	}
	if strings.TrimSpace(strings.Join(lines[start+1:end], "")) == "" {
		return "", ErrEmptyUnreleased
	}
	var b strings.Builder
	b.WriteString(strings.Join(lines[:start], ""))
	b.WriteString(unreleasedHeading + "\n\n")
	fmt.Fprintf(&b, "## [%s] - %s\n", version, date)
	b.WriteString(strings.Join(lines[start+1:], ""))
	return b.String(), nil
}
