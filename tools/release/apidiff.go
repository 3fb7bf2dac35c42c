package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/mod/semver"
	"golang.org/x/tools/go/packages"
)

// CompatResult is the API comparison of a module's work tree with its
// previous tag.
type CompatResult struct {
	Dir      string
	Previous string // version of the previous tag; "" when there is none
	Report   apidiff.Report
}

// Incompatible counts the incompatible changes.
func (r *CompatResult) Incompatible() int {
	n := 0
	for _, c := range r.Report.Changes {
		if !c.Compatible {
			n++
		}
	}
	return n
}

// Fails reports whether the result must fail the check: an incompatible
// change in a module whose previous tag is v1.0.0 or later. Below v1,
// semantic versioning allows incompatible changes (in a new minor version),
// so they are reported but do not fail.
func (r *CompatResult) Fails() bool {
	return r.Previous != "" && semver.Compare(r.Previous, "v1.0.0") >= 0 && r.Incompatible() > 0
}

// Print writes the result for a person to read.
func (r *CompatResult) Print(w io.Writer) {
	if r.Previous == "" {
		fmt.Fprintf(w, "%s: no previous tag, skipped\n", r.Dir)
		return
	}
	verdict := "ok"
	switch {
	case r.Fails():
		verdict = "FAILED: incompatible changes at v1 or later need a new major version (a new module path)"
	case r.Incompatible() > 0:
		verdict = "reported, not failed: below v1 an incompatible change only needs a new minor version"
	}
	fmt.Fprintf(w, "%s: against %s: %d incompatible, %d compatible changes: %s\n",
		r.Dir, TagName(r.Dir, r.Previous), r.Incompatible(), len(r.Report.Changes)-r.Incompatible(), verdict)
	for _, c := range r.Report.Changes {
		kind := "compatible"
		if !c.Compatible {
			kind = "INCOMPATIBLE"
		}
		fmt.Fprintf(w, "  %s: %s\n", kind, c.Message)
	}
}

// CheckCompat compares the exported API of module m in the work tree at root
// with the one at its latest tag in tags. With no tag, the result has no
// Previous and no changes. The tagged tree is taken with git archive into a
// temporary folder, which is removed.
func CheckCompat(root string, m *Module, tags Tags) (*CompatResult, error) {
	res := &CompatResult{Dir: m.Dir, Previous: tags.Latest(m.Dir)}
	if res.Previous == "" {
		return res, nil
	}
	tmp, err := os.MkdirTemp("", "asyncutils-apidiff-")
	if err != nil {
		return nil, err
	}
	defer func() { _ = removeAll(tmp) }()
	tag := TagName(m.Dir, res.Previous)
	if err := extractTree(root, tag, tmp); err != nil {
		return nil, err
	}
	old, err := loadAPI(filepath.Join(tmp, filepath.FromSlash(m.Dir)), m.Path)
	if err != nil {
		return nil, fmt.Errorf("%s: loading %s: %w", m.Dir, tag, err)
	}
	cur, err := loadAPI(filepath.Join(root, filepath.FromSlash(m.Dir)), m.Path)
	if err != nil {
		return nil, fmt.Errorf("%s: loading the work tree: %w", m.Dir, err)
	}
	res.Report = apidiff.ModuleChanges(old, cur)
	return res, nil
}

// extractTree writes the repository's tree at rev into dir.
func extractTree(root, rev, dir string) error {
	cmd := exec.Command("git", "archive", "--format=tar", rev)
	cmd.Dir = root
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git archive %s: %w: %s", rev, err, strings.TrimSpace(stderr.String()))
	}
	tr := tar.NewReader(&out)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := filepath.Join(dir, filepath.FromSlash(h.Name))
		if !strings.HasPrefix(name, filepath.Clean(dir)+string(filepath.Separator)) {
			return fmt.Errorf("git archive: entry %q escapes the folder", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(name, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				return err
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return err
			}
			if err := os.WriteFile(name, data, 0o644); err != nil {
				return err
			}
		}
	}
}

// loadAPI type-checks the packages of the module in dir, except packages
// internal to it (they are not part of its API) and commands.
func loadAPI(dir, modPath string) (*apidiff.Module, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedTypes,
		Dir:  dir,
		Env:  append(os.Environ(), "GOWORK=off"),
		Fset: token.NewFileSet(),
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, err
	}
	mod := &apidiff.Module{Path: modPath}
	var errs []error
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, e)
		}
		if p.Name == "main" || internalTo(modPath, p.PkgPath) || p.Types == nil {
			continue
		}
		mod.Packages = append(mod.Packages, p.Types)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return mod, nil
}

// internalTo reports whether the package pkgPath is internal to the module
// modPath (has an "internal" element below the module's root). The module
// github.com/asyncutils-go/asyncutils/internal itself is not internal to
// itself: its API is what its siblings build on, so it is compared too.
func internalTo(modPath, pkgPath string) bool {
	rel, ok := strings.CutPrefix(pkgPath, modPath)
	if !ok {
		return false
	}
	for _, el := range strings.Split(rel, "/") {
		if el == "internal" {
			return true
		}
	}
	return false
}
