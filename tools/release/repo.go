package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// Module is one module of the repository that gets tagged: its folder, its
// module path, its parsed go.mod and the requires that name other modules of
// the repository.
type Module struct {
	Dir      string // slash-separated folder below the repository root, e.g. "cache"
	Path     string // module path, e.g. github.com/asyncutils-go/asyncutils/cache
	File     *modfile.File
	Requires []module.Version // requires of other modules of this repository
	// Parent is, for an adapter module, the folder of the module it extends
	// and is nested in (cache for cache/otelcache); "" for a go.work module.
	Parent string
}

// Repo is the repository: its root folder, the module path prefix shared by
// its modules, and the modules that are tagged, sorted by folder.
type Repo struct {
	Root     string
	Prefix   string
	Modules  []*Module
	Untagged []string // go.work modules that are never released
}

// Module returns the module in folder dir, or nil.
func (r *Repo) Module(dir string) *Module {
	for _, m := range r.Modules {
		if m.Dir == dir {
			return m
		}
	}
	return nil
}

// ByPath returns the module with the module path p, or nil.
func (r *Repo) ByPath(p string) *Module {
	for _, m := range r.Modules {
		if m.Path == p {
			return m
		}
	}
	return nil
}

// Dirs returns the folders of the modules, in the repository's order.
func (r *Repo) Dirs() []string {
	out := make([]string, len(r.Modules))
	for i, m := range r.Modules {
		out[i] = m.Dir
	}
	return out
}

// Adapters returns the folders of the adapter modules nested in the module
// in folder dir, in the repository's order.
func (r *Repo) Adapters(dir string) []string {
	var out []string
	for _, m := range r.Modules {
		if m.Parent == dir {
			out = append(out, m.Dir)
		}
	}
	return out
}

// LoadRepo reads go.work at root and the go.mod of every module it uses,
// except the folders in untagged (modules that are never released, such as
// examples), and of every adapter module: a go.mod in a folder below a
// released go.work module (cache/otelcache below cache), found by walking
// that module's folder (testdata, vendor and folders whose names start with
// . or _ are skipped, as the go command skips them). Adapter modules stay out
// of go.work, because they carry the client of the system they adapt, and
// are released like the others, tagged <folder>/vX.Y.Z (cache/otelcache/v0.1.0).
// Other modules outside go.work (bench, tools) are never considered.
func LoadRepo(root string, untagged []string) (*Repo, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	workPath := filepath.Join(root, "go.work")
	data, err := os.ReadFile(workPath)
	if err != nil {
		return nil, err
	}
	work, err := modfile.ParseWork(workPath, data, nil)
	if err != nil {
		return nil, err
	}
	var dirs, workDirs []string
	for _, u := range work.Use {
		dir := path.Clean(filepath.ToSlash(u.Path))
		if strings.HasPrefix(dir, "../") || path.IsAbs(dir) {
			return nil, fmt.Errorf("go.work: %s is outside the repository", u.Path)
		}
		workDirs = append(workDirs, dir)
		if !slices.Contains(untagged, dir) {
			dirs = append(dirs, dir)
		}
	}
	parents := map[string]string{}
	for _, dir := range slices.Clone(dirs) {
		nested, err := nestedModules(root, dir)
		if err != nil {
			return nil, err
		}
		for _, n := range nested {
			if !slices.Contains(workDirs, n) {
				dirs = append(dirs, n)
				parents[n] = dir
			}
		}
	}
	files := make(map[string][]byte, len(dirs))
	for _, dir := range dirs {
		gomod := filepath.Join(root, filepath.FromSlash(dir), "go.mod")
		if files[dir], err = os.ReadFile(gomod); err != nil {
			return nil, err
		}
	}
	repo, err := NewRepo(files)
	if err != nil {
		return nil, err
	}
	repo.Root, repo.Untagged = root, untagged
	for _, m := range repo.Modules {
		m.Parent = parents[m.Dir]
	}
	if err := checkAdapters(repo); err != nil {
		return nil, err
	}
	return repo, nil
}

// nestedModules returns the folders, below the repository root, of the
// modules nested at any depth in the module in folder dir.
func nestedModules(root, dir string) ([]string, error) {
	base := filepath.Join(root, filepath.FromSlash(dir))
	var out []string
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() || p == base {
			return nil
		}
		if n := d.Name(); n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out, err
}

// checkAdapters checks what makes an adapter module one: it requires the
// module it extends, and no go.work module requires an adapter module
// (that would bring the adapted system's client to every user of the
// module, which is what the adapter exists to avoid).
func checkAdapters(repo *Repo) error {
	var errs []error
	for _, m := range repo.Modules {
		if m.Parent != "" {
			parent := repo.Module(m.Parent)
			if !slices.ContainsFunc(m.Requires, func(r module.Version) bool { return r.Path == parent.Path }) {
				errs = append(errs, fmt.Errorf("%s/go.mod: an adapter module nested in %s must require %s", m.Dir, m.Parent, parent.Path))
			}
			continue
		}
		for _, r := range m.Requires {
			if dep := repo.ByPath(r.Path); dep.Parent != "" {
				errs = append(errs, fmt.Errorf("%s/go.mod: requires the adapter module %s; only a program may: adapters carry the dependencies %s must not have",
					m.Dir, dep.Dir, m.Dir))
			}
		}
	}
	return errors.Join(errs...)
}

// NewRepo builds the repository model from the go.mod contents of its tagged
// modules, keyed by folder. It checks that every module path is the shared
// prefix followed by the folder (the layout that makes the tag <folder>/vX.Y.Z
// name a version of that module), and it keeps the requires of sibling modules.
func NewRepo(gomods map[string][]byte) (*Repo, error) {
	repo := &Repo{}
	var errs []error
	for _, dir := range sortedKeys(gomods) {
		f, err := modfile.Parse(dir+"/go.mod", gomods[dir], nil)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if f.Module == nil {
			errs = append(errs, fmt.Errorf("%s/go.mod: no module line", dir))
			continue
		}
		p := f.Module.Mod.Path
		prefix, ok := strings.CutSuffix(p, "/"+dir)
		if !ok {
			errs = append(errs, fmt.Errorf("%s/go.mod: module path %s does not end in the folder name %s", dir, p, dir))
			continue
		}
		if repo.Prefix == "" {
			repo.Prefix = prefix
		} else if prefix != repo.Prefix {
			errs = append(errs, fmt.Errorf("%s/go.mod: module path %s does not start with %s like the others", dir, p, repo.Prefix))
			continue
		}
		repo.Modules = append(repo.Modules, &Module{Dir: dir, Path: p, File: f})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, m := range repo.Modules {
		for _, r := range m.File.Require {
			if !strings.HasPrefix(r.Mod.Path, repo.Prefix+"/") {
				continue
			}
			if repo.ByPath(r.Mod.Path) == nil {
				errs = append(errs, fmt.Errorf("%s/go.mod: requires %s, which is not a released module of this repository", m.Dir, r.Mod.Path))
				continue
			}
			m.Requires = append(m.Requires, r.Mod)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return repo, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
