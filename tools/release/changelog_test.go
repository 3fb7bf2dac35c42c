package main

import (
	"errors"
	"strings"
	"testing"
)

const changelogHead = "# Changelog\n\nIntro line.\n\n"

func TestMoveUnreleased(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		version string
		want    string
		wantErr string
	}{
		{
			name:    "first release",
			in:      changelogHead + "## [Unreleased]\n\n### Added\n\n- Cache.\n",
			version: "v0.1.0",
			want:    changelogHead + "## [Unreleased]\n\n## [0.1.0] - 2026-01-02\n\n### Added\n\n- Cache.\n",
		},
		{
			name: "older sections stay below, untouched",
			in: changelogHead + "## [Unreleased]\n\n### Fixed\n\n- A leak.\n\n" +
				"## [0.1.0] - 2025-12-01\n\n### Added\n\n- Cache.\n",
			version: "v0.1.1",
			want: changelogHead + "## [Unreleased]\n\n## [0.1.1] - 2026-01-02\n\n### Fixed\n\n- A leak.\n\n" +
				"## [0.1.0] - 2025-12-01\n\n### Added\n\n- Cache.\n",
		},
		{
			name:    "nothing unreleased",
			in:      changelogHead + "## [Unreleased]\n\n\n## [0.1.0] - 2025-12-01\n\n- Cache.\n",
			version: "v0.2.0",
			wantErr: ErrEmptyUnreleased.Error(),
		},
		{
			name:    "no Unreleased heading",
			in:      changelogHead + "## [0.1.0] - 2025-12-01\n\n- Cache.\n",
			version: "v0.2.0",
			wantErr: "no ## [Unreleased] heading",
		},
		{
			name:    "the version is there already",
			in:      changelogHead + "## [Unreleased]\n\n- More.\n\n## [0.1.0] - 2025-12-01\n\n- Cache.\n",
			version: "v0.1.0",
			wantErr: "already has a ## [0.1.0] section",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MoveUnreleased(tt.in, tt.version, "2026-01-02")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("MoveUnreleased() error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("MoveUnreleased() =\n%s\nwant\n%s", got, tt.want)
			}
			// Releasing again without new entries must be refused.
			if _, err := MoveUnreleased(got, "v9.9.9", "2026-01-03"); !errors.Is(err, ErrEmptyUnreleased) {
				t.Errorf("second move: error = %v, want ErrEmptyUnreleased", err)
			}
		})
	}
}
