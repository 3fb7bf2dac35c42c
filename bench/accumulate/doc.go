// Package accumulatebench compares the asyncutils accumulate module with its peers.
package accumulatebench
