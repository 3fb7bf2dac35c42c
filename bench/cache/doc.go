// Package cachebench compares the asyncutils cache module with its peers.
package cachebench
