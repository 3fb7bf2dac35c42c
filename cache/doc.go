// Package cache is a generic cache whose entries carry a TTL and are reloaded in the background before they expire, so that readers never wait for a loader.
//
// This package is under construction: its API lands with its issue.
package cache
