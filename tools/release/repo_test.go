package main

import (
	"fmt"
	"strings"
	"testing"
)

const prefix = "github.com/asyncutils-go/asyncutils"

// gomod returns a go.mod of the module in folder dir requiring the given
// siblings at v0.1.0, with the local replaces the repository uses.
func gomod(dir string, siblings ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "module %s/%s\n\ngo 1.26.0\n\nrequire go.uber.org/goleak v1.3.0\n", prefix, dir)
	for _, s := range siblings {
		fmt.Fprintf(&b, "require %s/%s v0.1.0\n", prefix, s)
		fmt.Fprintf(&b, "replace %s/%s => ../%s\n", prefix, s, s)
	}
	return []byte(b.String())
}

// layout is the repository's module graph as the SPEC draws it.
func layout() map[string][]byte {
	return map[string][]byte{
		"internal":   gomod("internal"),
		"defaults":   gomod("defaults"),
		"gather":     gomod("gather", "defaults", "internal"),
		"cache":      gomod("cache", "defaults", "internal"),
		"fsm":        gomod("fsm", "internal"),
		"accumulate": gomod("accumulate", "internal"),
	}
}

func TestOrder(t *testing.T) {
	tests := []struct {
		name    string
		gomods  map[string][]byte
		want    string
		wantErr string
	}{
		{
			name:   "the repository's layout: internal and defaults first",
			gomods: layout(),
			want:   "defaults internal accumulate cache fsm gather",
		},
		{
			name: "a chain is released from its end",
			gomods: map[string][]byte{
				"a": gomod("a", "b"),
				"b": gomod("b", "c"),
				"c": gomod("c"),
			},
			want: "c b a",
		},
		{
			name:   "no requires: by folder name",
			gomods: map[string][]byte{"z": gomod("z"), "m": gomod("m"), "a": gomod("a")},
			want:   "a m z",
		},
		{
			name: "a cycle is an error naming its modules",
			gomods: map[string][]byte{
				"a": gomod("a", "b"),
				"b": gomod("b", "a"),
				"c": gomod("c"),
			},
			wantErr: "require cycle among a, b",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, err := NewRepo(tt.gomods)
			if err != nil {
				t.Fatal(err)
			}
			order, err := Order(repo)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Order() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range order {
				got = append(got, m.Dir)
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("Order() = %v, want %s", got, tt.want)
			}
		})
	}
}

func TestNewRepo(t *testing.T) {
	tests := []struct {
		name    string
		gomods  map[string][]byte
		wantErr string
	}{
		{
			name:   "the layout is accepted",
			gomods: layout(),
		},
		{
			name:    "a module path that does not end in its folder",
			gomods:  map[string][]byte{"cache": []byte("module example.com/other\n\ngo 1.26.0\n")},
			wantErr: "does not end in the folder name cache",
		},
		{
			name: "module paths with different prefixes",
			gomods: map[string][]byte{
				"a": []byte("module example.com/x/a\n"),
				"b": []byte("module example.com/y/b\n"),
			},
			wantErr: "does not start with example.com/x",
		},
		{
			name:    "a require of an unknown sibling",
			gomods:  map[string][]byte{"cache": gomod("cache", "examples")},
			wantErr: "requires github.com/asyncutils-go/asyncutils/examples, which is not a released module",
		},
		{
			name:    "a go.mod that does not parse",
			gomods:  map[string][]byte{"cache": []byte("module\n")},
			wantErr: "cache/go.mod",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo, err := NewRepo(tt.gomods)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if repo.Prefix != prefix {
					t.Errorf("Prefix = %q, want %q", repo.Prefix, prefix)
				}
				if got := len(repo.Module("cache").Requires); got != 2 {
					t.Errorf("cache has %d sibling requires, want 2", got)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewRepo() error = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
