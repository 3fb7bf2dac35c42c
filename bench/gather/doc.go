// Package gatherbench compares the asyncutils gather module with its peers.
package gatherbench
