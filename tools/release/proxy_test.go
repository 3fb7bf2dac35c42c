package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

func TestPack(t *testing.T) {
	src := t.TempDir()
	gomod := "module example.com/r/Upper\n\ngo 1.26.0\n"
	write(t, filepath.Join(src, "go.mod"), gomod)
	write(t, filepath.Join(src, "a.go"), "package upper\n")
	write(t, filepath.Join(src, "nested", "go.mod"), "module example.com/r/Upper/nested\n")
	write(t, filepath.Join(src, "nested", "b.go"), "package nested\n")

	proxy := t.TempDir()
	if err := Pack(proxy, src, "example.com/r/Upper", "v0.1.0", []byte(gomod), time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	// Upper-case letters are escaped in the proxy layout.
	vdir := filepath.Join(proxy, "example.com", "r", "!upper", "@v")
	for name, want := range map[string]string{
		"list":        "v0.1.0\n",
		"v0.1.0.mod":  gomod,
		"v0.1.0.info": `{"Version":"v0.1.0","Time":"1970-01-01T00:00:00Z"}`,
	} {
		got, err := os.ReadFile(filepath.Join(vdir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	cf, err := zip.CheckZip(module.Version{Path: "example.com/r/Upper", Version: "v0.1.0"}, filepath.Join(vdir, "v0.1.0.zip"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cf.Valid, " "); got != "example.com/r/Upper@v0.1.0/a.go example.com/r/Upper@v0.1.0/go.mod" {
		t.Errorf("zip holds %s, want a.go go.mod (no nested module)", got)
	}
}

func TestMissingNames(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "c.go"), `package c

type Cache[K comparable, V any] struct{}

func New[K comparable, V any]() *Cache[K, V] { return nil }
func (c *Cache[K, V]) Get() {}
func (c *Cache[K, V]) hidden() {}
`)
	write(t, filepath.Join(dir, "c_test.go"), "package c\n\nfunc (c *Cache[K, V]) Close() {}\n")
	write(t, filepath.Join(dir, "sub", "s.go"), "package sub\n\nvar Or = 1\n")
	got, err := missingNames(dir, []string{"New", "Cache", "Cache.Get", "Cache.Close", "Cache.hidden", "sub:Or", "sub:Nope", "gone:X"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "Cache.Close Cache.hidden sub:Nope gone:X" {
		t.Errorf("missingNames() = %v", got)
	}
}
