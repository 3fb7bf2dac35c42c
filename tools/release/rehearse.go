package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/template"
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

// consumerResult is what checking one consumer found.
type consumerResult struct {
	dir      string
	fallback string // why the fallback program was used, or ""
	output   string
	vendored []string // "path version" lines of vendor/modules.txt
	took     time.Duration
	err      error
}

func (r *consumerResult) print(w io.Writer) {
	status := "ok"
	if r.err != nil {
		status = "FAILED"
	}
	fmt.Fprintf(w, "\n%s consumer: %s (%.1fs)\n", r.dir, status, r.took.Seconds())
	if r.fallback != "" {
		fmt.Fprintf(w, "  WARNING: %s\n", r.fallback)
	}
	for _, l := range strings.Split(strings.TrimSpace(r.output), "\n") {
		if l != "" {
			fmt.Fprintf(w, "  program: %s\n", l)
		}
	}
	for _, v := range r.vendored {
		fmt.Fprintf(w, "  vendor/modules.txt: %s\n", v)
	}
}

// checkConsumer makes and checks the consumer of module m.
func checkConsumer(repo *Repo, m *Module, cfg RehearseConfig, tmp string, env []string) *consumerResult {
	start := time.Now()
	r := &consumerResult{dir: m.Dir}
	r.err = runConsumer(repo, m, cfg, tmp, env, r)
	r.took = time.Since(start)
	return r
}

func runConsumer(repo *Repo, m *Module, cfg RehearseConfig, tmp string, env []string, r *consumerResult) error {
	table := cfg.Consumers
	if table == nil {
		table = consumers
	}
	c, ok := table[m.Dir]
	if !ok {
		return fmt.Errorf("no consumer program for %s: add one to tools/release/consumers.go", m.Dir)
	}
	missing, err := missingNames(filepath.Join(repo.Root, filepath.FromSlash(m.Dir)), c.Uses)
	if err != nil {
		return err
	}
	program, want := c.Program, c.Want
	if len(missing) > 0 {
		r.fallback = fmt.Sprintf("%s lacks %s, which %s uses: only the package import was checked",
			m.Dir, strings.Join(missing, ", "), c.Program)
		if cfg.Strict {
			return errors.New(r.fallback)
		}
		program, want = "fallback.go.tmpl", m.Dir+": imported\n"
	}
	dir := filepath.Join(tmp, "consumer-"+strings.ReplaceAll(m.Dir, "/", "-"))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	modPath := "example.com/rehearsal/" + m.Dir + "consumer"
	if c.Sibling {
		modPath = repo.Prefix + "/rehearsal/" + m.Dir + "consumer"
	}
	goVersion := "1.26.0"
	if m.File.Go != nil {
		goVersion = m.File.Go.Version
	}
	gomod := fmt.Sprintf("module %s\n\ngo %s\n\nrequire %s %s\n", modPath, goVersion, m.Path, cfg.Version)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		return err
	}
	if err := writeProgram(filepath.Join(dir, "main.go"), program, repo, m); err != nil {
		return err
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir, cmd.Env = dir, env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return out.String(), fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, out.String())
		}
		return out.String(), nil
	}
	if _, err := run("go", "mod", "tidy"); err != nil {
		return err
	}
	bin := filepath.Join(dir, "consumer")
	if _, err := run("go", "build", "-o", bin, "."); err != nil {
		return err
	}
	if r.output, err = run(bin); err != nil {
		return fmt.Errorf("the program failed: %w", err)
	}
	if !strings.Contains(r.output, want) {
		return fmt.Errorf("the program printed %q, want %q", r.output, want)
	}
	allowed := allowedModules(repo, m, c)
	deps, err := run("go", "list", "-deps", "-f", "{{with .Module}}{{.Path}}{{end}}", ".")
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range uniqueLines(deps) {
		if p == goleakModule {
			errs = append(errs, fmt.Errorf("%s is in the build (go list -deps): it must stay a test-only dependency", goleakModule))
		} else if p != modPath && !allowed[p] {
			errs = append(errs, fmt.Errorf("go list -deps: unexpected module %s in the build; %s may bring only %s", p, m.Dir, allowedList(allowed)))
		}
	}
	if _, err := run("go", "mod", "vendor"); err != nil {
		return err
	}
	txt, err := os.ReadFile(filepath.Join(dir, "vendor", "modules.txt"))
	if err != nil {
		return err
	}
	vendored := map[string]bool{}
	for _, l := range strings.Split(string(txt), "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "#" {
			r.vendored = append(r.vendored, f[1]+" "+f[2])
			vendored[f[1]] = true
			if !allowed[f[1]] {
				errs = append(errs, fmt.Errorf("vendor/modules.txt: unexpected module %s; %s may bring only %s", f[1], m.Dir, allowedList(allowed)))
			}
		}
	}
	need := []string{m.Path}
	if len(missing) == 0 {
		need = append(need, expand(repo, c.Need)...)
	}
	for _, p := range need {
		if !vendored[p] {
			errs = append(errs, fmt.Errorf("vendor/modules.txt: %s is missing, but %s needs it", p, m.Dir))
		}
	}
	return errors.Join(errs...)
}

// allowedModules is the set of modules a consumer of m may vendor: m, what it
// needs and what it may use.
func allowedModules(repo *Repo, m *Module, c consumer) map[string]bool {
	allowed := map[string]bool{m.Path: true}
	for _, p := range expand(repo, append(slices.Clone(c.Need), c.May...)) {
		allowed[p] = true
	}
	return allowed
}

// expand turns sibling folders ("internal") into module paths.
func expand(repo *Repo, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if m := repo.Module(n); m != nil {
			out[i] = m.Path
		} else {
			out[i] = n
		}
	}
	return out
}

func allowedList(allowed map[string]bool) string {
	return strings.Join(sortedKeys(allowed), ", ")
}

func uniqueLines(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

func writeProgram(dst, name string, repo *Repo, m *Module) error {
	t, err := template.ParseFS(programs, "consumers/"+name)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, struct{ Path, Prefix, Dir string }{m.Path, repo.Prefix, m.Dir}); err != nil {
		return err
	}
	return os.WriteFile(dst, b.Bytes(), 0o644)
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
