// Package e2e holds tests that run the built bounced binary as separate
// processes, the way it is deployed: several `bounced serve` replicas
// sharing one Redis. It has no code of its own.
package e2e
