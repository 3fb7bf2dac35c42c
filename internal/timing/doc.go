// Package timing holds the clock defaulting shared by the asyncutils modules
// that read time. It is a package of its own so that the modules that never
// read time do not bring the clock module into their consumers' builds.
package timing
