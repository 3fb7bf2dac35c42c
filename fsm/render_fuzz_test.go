package fsm_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/asyncutils-go/asyncutils/fsm"
)

var (
	mermaidState = regexp.MustCompile(`^    state "([^"\n\r]*)" as s0$`)
	// Mermaid's lexer rules that swallow the rest of a line, and the
	// trimming of descriptions: none may apply to a description.
	mermaidTraps = regexp.MustCompile(`(?i)direction\s+(tb|bt|rl|lr)|<<(fork|join|choice)>>|\[\[(fork|join|choice)\]\]|^\s|\s$`)
	mermaidCode  = regexp.MustCompile(`#(\d+);`)
	// One quoted label, or several joined by + (a long label is split).
	dotState  = regexp.MustCompile(`^\ts0 \[label="((?:[^"\\\n]|\\.|" \+ ")*)"\];$`)
	dotJoin   = regexp.MustCompile(`((?:^|[^\\])(?:\\\\)*)" \+ "`)
	dotEntity = regexp.MustCompile(`&(#\d+|amp);`)
)

// FuzzRender_AnyName renders a machine whose only state has an arbitrary
// name and checks, without the real parsers, the properties that
// TestRender_RealParsers_* check with them: the description is one quoted
// token that no lexer trap matches, and it decodes (as Mermaid's #code;
// entities and Graphviz's escapes and entities decode) to the name as
// Machine.Mermaid says it is shown.
func FuzzRender_AnyName(f *testing.F) {
	for _, name := range awkward {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, name string) {
		m := fsm.New(name)
		want := shownAs(name)

		lines := strings.Split(m.Mermaid(), "\n")
		match := mermaidState.FindStringSubmatch(lines[2])
		if match == nil {
			t.Fatalf("Mermaid state line %q is not one quoted description", lines[2])
		}
		desc := match[1]
		if mermaidTraps.MatchString(desc) {
			t.Fatalf("Mermaid description %q falls into a lexer trap", desc)
		}
		for _, r := range desc {
			if unicode.IsControl(r) && (r < 0x80 || r > 0x9f) {
				t.Fatalf("Mermaid description %q has a raw control character %U", desc, r)
			}
		}
		decoded := mermaidCode.ReplaceAllStringFunc(desc, func(code string) string {
			n, _ := strconv.Atoi(code[1 : len(code)-1])
			if n >= 0x80 && n <= 0x9f {
				t.Fatalf("Mermaid description %q has %s, which HTML reads as Windows-1252", desc, code)
			}
			return string(rune(n))
		})
		if decoded != want {
			t.Fatalf("Mermaid description %q decodes to %q, want %q", desc, decoded, want)
		}

		lines = strings.Split(m.DOT(), "\n")
		match = dotState.FindStringSubmatch(lines[4])
		if match == nil {
			t.Fatalf("DOT state line %q is not one quoted label", lines[4])
		}
		label := match[1]
		for _, part := range strings.Split(label, `" + "`) {
			if len(part) > 16_000 {
				t.Fatalf("DOT label part of %d bytes: Graphviz rejects a quoted string over about 16 KiB", len(part))
			}
		}
		label = dotJoin.ReplaceAllString(label, "$1")
		if !utf8.ValidString(label) || strings.ContainsRune(label, 0) {
			t.Fatalf("DOT label %q is not valid UTF-8 without NUL", label)
		}
		var b strings.Builder
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case c == '\\':
				i++
				if label[i] == 'n' {
					b.WriteByte('\n')
				} else {
					b.WriteByte(label[i])
				}
			case c < 0x20:
				t.Fatalf("DOT label %q has a raw control character %#x", label, c)
			default:
				b.WriteByte(c)
			}
		}
		decoded = dotEntity.ReplaceAllStringFunc(b.String(), func(e string) string {
			if e == "&amp;" {
				return "&"
			}
			n, _ := strconv.Atoi(e[2 : len(e)-1])
			if n == 0x7f {
				t.Fatalf("DOT label %q has &#127;, which Graphviz turns into invalid UTF-8", label)
			}
			return string(rune(n))
		})
		if decoded != want {
			t.Fatalf("DOT label %q decodes to %q, want %q", label, decoded, want)
		}
	})
}
