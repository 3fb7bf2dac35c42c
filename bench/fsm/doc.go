// Package fsmbench compares the asyncutils fsm module with its peers.
package fsmbench
