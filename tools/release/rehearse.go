package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// RehearseConfig configures a release rehearsal.
type RehearseConfig struct {
	Version string // the version every module is packed at
	Rev     string // pack this git revision instead of the work tree
	Strict  bool   // fail, instead of falling back, when a module lacks the API its program uses
	Keep    bool   // keep the temporary folder and print where it is
	Jobs    int    // consumers checked at once
	Out     io.Writer
	// Consumers is the table of consumer checks; nil means the repository's
	// table in consumers.go.
	Consumers map[string]consumer
}

// Rehearse packs every released module of repo at one version into a
// file-based module proxy in a temporary folder, then, for each module, makes
// a fresh consumer module outside the repository that requires only that
// module, builds and runs its program, vendors it, and checks that
// vendor/modules.txt holds the module and only the modules it may need, and
// that goleak is not in the build. It removes its temporary folder.
func Rehearse(repo *Repo, cfg RehearseConfig) (err error) {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "asyncutils-rehearsal-")
	if err != nil {
		return err
	}
	if cfg.Keep {
		fmt.Fprintf(cfg.Out, "keeping %s\n", tmp)
	} else {
		defer func() { err = errors.Join(err, removeAll(tmp)) }()
	}
	from := "the work tree"
	if cfg.Rev != "" {
		tree := filepath.Join(tmp, "tree")
		if err := extractTree(repo.Root, cfg.Rev, tree); err != nil {
			return err
		}
		if repo, err = LoadRepo(tree, repo.Untagged); err != nil {
			return err
		}
		from = cfg.Rev
	}
	proxyDir := filepath.Join(tmp, "proxy")
	for _, m := range repo.Modules {
		if err := packAt(repo, m, cfg.Version, proxyDir, filepath.Join(tmp, "src")); err != nil {
			return err
		}
	}
	fmt.Fprintf(cfg.Out, "packed %s from %s at %s into a file proxy\n", strings.Join(repo.Dirs(), ", "), from, cfg.Version)
	env, err := rehearsalEnv(repo, tmp, proxyDir)
	if err != nil {
		return err
	}
	results := make([]*consumerResult, len(repo.Modules))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range max(cfg.Jobs, 1) {
		wg.Go(func() {
			for i := range jobs {
				results[i] = checkConsumer(repo, repo.Modules[i], cfg, tmp, env)
			}
		})
	}
	for i := range repo.Modules {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var errs []error
	var fallbacks []string
	for _, r := range results {
		r.print(cfg.Out)
		if r.err != nil {
			errs = append(errs, fmt.Errorf("%s consumer: %w", r.dir, r.err))
		}
		if r.fallback != "" {
			fallbacks = append(fallbacks, r.dir)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	partial := ""
	if len(fallbacks) > 0 {
		partial = fmt.Sprintf(" (WARNING: only imported, API not there yet: %s)", strings.Join(fallbacks, ", "))
	}
	fmt.Fprintf(cfg.Out, "\nrehearsal passed: %d consumers%s in %.1fs\n", len(results), partial, time.Since(start).Seconds())
	return nil
}

// packAt packs module m at version v, with its requires of sibling modules
// set to v as a release of every module at v would set them. When the go.mod
// already says so (the usual case), the module's folder is packed as it is;
// otherwise from a copy under scratch with the edited go.mod.
func packAt(repo *Repo, m *Module, v, proxyDir, scratch string) error {
	dir := filepath.Join(repo.Root, filepath.FromSlash(m.Dir))
	f, err := cloneModFile(m)
	if err != nil {
		return err
	}
	changed := false
	for _, r := range m.Requires {
		if r.Version != v {
			changed = true
			if err := f.AddRequire(r.Path, v); err != nil {
				return err
			}
		}
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	if changed {
		if gomod, err = f.Format(); err != nil {
			return err
		}
		cp := filepath.Join(scratch, filepath.FromSlash(m.Dir))
		if err := os.CopyFS(cp, os.DirFS(dir)); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(cp, "go.mod"), gomod, 0o644); err != nil {
			return err
		}
		dir = cp
	}
	return Pack(proxyDir, dir, m.Path, v, gomod, time.Now())
}

// rehearsalEnv is the environment of the consumers' go commands: no
// workspace, the file proxy first, then the local download cache and the
// usual GOPROXY for third-party modules, a module cache of its own (so that a
// module packed by an earlier rehearsal never stands in for today's), and no
// checksum database lookups for the repository's own modules only.
func rehearsalEnv(repo *Repo, tmp, proxyDir string) ([]string, error) {
	goenv := func(name string) (string, error) {
		cmd := exec.Command("go", "env", name)
		cmd.Dir = repo.Root
		cmd.Env = append(os.Environ(), "GOWORK=off")
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	proxies := []string{fileURL(proxyDir)}
	if mc, err := goenv("GOMODCACHE"); err == nil && mc != "" {
		if dl := filepath.Join(mc, "cache", "download"); isDir(dl) {
			proxies = append(proxies, fileURL(dl))
		}
	}
	upstream, err := goenv("GOPROXY")
	if err != nil {
		return nil, fmt.Errorf("go env GOPROXY: %w", err)
	}
	if upstream != "" && upstream != "off" {
		proxies = append(proxies, upstream)
	}
	flags, err := goenv("GOFLAGS")
	if err != nil {
		return nil, fmt.Errorf("go env GOFLAGS: %w", err)
	}
	set := map[string]string{
		"GOWORK":      "off",
		"GOPROXY":     strings.Join(proxies, ","),
		"GOFLAGS":     strings.TrimSpace(flags + " -mod=mod"),
		"GONOSUMDB":   repo.Prefix,
		"GONOPROXY":   "",
		"GOPRIVATE":   "",
		"GOMODCACHE":  filepath.Join(tmp, "modcache"),
		"GOTOOLCHAIN": "local",
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			env = append(env, kv)
		}
	}
	for _, k := range sortedKeys(set) {
		env = append(env, k+"="+set[k])
	}
	return env, nil
}

func fileURL(dir string) string { return "file://" + filepath.ToSlash(dir) }

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// removeAll removes dir, including the read-only files of a module cache.
func removeAll(dir string) error {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	return os.RemoveAll(dir)
}
