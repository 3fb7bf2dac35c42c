package main

import (
	"errors"
	"fmt"
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

// LoadRepo reads go.work at root and the go.mod of every module it uses,
// except the folders in untagged (modules that are never released, such as
// examples). Modules outside go.work (bench, tools) are never considered.
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
	var dirs []string
	for _, u := range work.Use {
		dir := path.Clean(filepath.ToSlash(u.Path))
		if strings.HasPrefix(dir, "../") || path.IsAbs(dir) {
			return nil, fmt.Errorf("go.work: %s is outside the repository", u.Path)
		}
		if !slices.Contains(untagged, dir) {
			dirs = append(dirs, dir)
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
	return repo, nil
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
