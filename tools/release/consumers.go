package main

import "embed"

// The consumer programs, one template per module (see consumers/README.md).
//
//go:embed consumers/*.go.tmpl
var programs embed.FS

// Third-party modules a consumer may vendor.
const (
	clockModule  = "github.com/benbjohnson/clock"
	goleakModule = "go.uber.org/goleak"
	// OpenTelemetry: the API (otel/metric, and otel for its attribute
	// package, which hashes with xxhash), for cache/otelcache only.
	otelModules      = "go.opentelemetry.io"
	otelModule       = "go.opentelemetry.io/otel"
	otelMetricModule = "go.opentelemetry.io/otel/metric"
	xxhashModule     = "github.com/cespare/xxhash/v2"
)

// consumer says how the rehearsal checks one module from a consumer's side.
type consumer struct {
	// Program is the template in consumers/ that uses the module's API.
	Program string
	// Uses lists the exported names the program needs: "New" for a
	// top-level name, "Cache.Get" for a method; "timing:Or" for a name of
	// the subpackage timing. When one is missing, the rehearsal fails; with
	// -strict=false (while a module is being written) the fallback program
	// only imports the package instead.
	Uses []string
	// Want is what the program must print (a part of its output).
	Want string
	// Need lists the modules vendor/modules.txt must hold besides the module
	// itself: sibling folders ("internal") or module paths. May lists the
	// ones it may hold. Anything else in vendor/modules.txt fails the
	// rehearsal; so does goleak in the build, always.
	Need, May []string
	// Forbid lists module paths, each also standing for the paths below it
	// ("go.opentelemetry.io"), that must never be in the consumer's build nor
	// in its vendor folder, whatever Need and May say: the systems that
	// adapter modules adapt, which the module they extend must not bring.
	Forbid []string
	// Sibling makes the consumer's module path a child of the repository's
	// prefix, for the internal module, which only siblings may import.
	Sibling bool
}

// consumers is the rehearsal's table: the allowed module set of each module
// is explicit here. An adapter module (a go.mod nested in a module's folder,
// see LoadRepo) needs an entry like any module: its folder, a template in
// consumers/, and the adapted system's client in Need; the module it extends
// gets that client in Forbid.
var consumers = map[string]consumer{
	"internal": {
		Program: "internal.go.tmpl",
		Uses:    []string{"Guard", "PanicError", "timing:Or"},
		Want:    "internal: recovered boom\n",
		Need:    []string{clockModule},
		Sibling: true,
	},
	"defaults": {
		Program: "defaults.go.tmpl",
		Uses:    []string{"Builtin", "Values.Validate"},
		Want:    "defaults: ttl=1m0s refresh=15s limit=8\n",
	},
	"gather": {
		Program: "gather.go.tmpl",
		Uses:    []string{"All", "Task"},
		Want:    "gather: squares [0 1 4 9 16]\n",
		Need:    []string{"defaults", "internal"},
	},
	"cache": {
		Program: "cache.go.tmpl",
		Uses:    []string{"New", "Cache.Get", "Cache.Close"},
		Want:    "cache: hello -> 5\n",
		Need:    []string{"defaults", "internal", clockModule},
		Forbid:  []string{otelModules, "github.com/redis"},
	},
	"cache/otelcache": {
		Program: "cache-otelcache.go.tmpl",
		Uses:    []string{"Register", "Source"},
		Want: "cache/otelcache: cache.entry.count (up-down){cache.name=users} 1\n" +
			"cache/otelcache: cache.evicted.weight{cache.name=users} 0\n" +
			"cache/otelcache: cache.evictions{cache.name=users} 0\n" +
			"cache/otelcache: cache.expirations{cache.name=users} 0\n" +
			"cache/otelcache: cache.load.errors{cache.name=users} 0\n" +
			"cache/otelcache: cache.loads{cache.name=users} 1\n" +
			"cache/otelcache: cache.negative.hits{cache.name=users} 0\n",
		Need: []string{"cache", "defaults", "internal", clockModule, otelModule, otelMetricModule, xxhashModule},
	},
	"cache/redistier": {
		Program: "cache-redistier.go.tmpl",
		Uses:    []string{"New", "Tier.Loader", "Tier.CacheOptions", "WithTimeout"},
		Want:    "cache/redistier: user alice, with redis down\n",
		Need:    []string{"cache", "defaults", "internal", clockModule, "github.com/redis/go-redis/v9"},
		May:     []string{xxhashModule, "github.com/dgryski/go-rendezvous", "go.uber.org/atomic", "golang.org/x/sys"},
	},
	"fsm": {
		Program: "fsm.go.tmpl",
		Uses:    []string{"New", "Machine.Add", "Machine.Transition", "Machine.State"},
		Want:    "fsm: moved=true state=running\n",
		Need:    []string{"internal"},
	},
	"accumulate": {
		Program: "accumulate.go.tmpl",
		Uses:    []string{"New", "Accumulator.Add", "Accumulator.Call", "Accumulator.Len"},
		Want:    "accumulate: first got done\naccumulate: second got done\naccumulate: left 0\n",
		Need:    []string{"internal"},
	},
}
