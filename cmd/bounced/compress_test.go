package main

import (
	"testing"

	"google.golang.org/grpc/encoding"
)

// The server registers no gRPC compressor: the guard of oversized
// messages (internal/h2guard) judges a message by its announced length,
// and a compressed message within it could inflate past the receive limit
// and meet gRPC's own bare RESOURCE_EXHAUSTED. Whoever adds one must
// bound the decompressed size to the same answer (MESSAGE_TOO_LARGE).
func TestNoCompressorRegistered(t *testing.T) {
	for _, name := range []string{"gzip", "zstd", "snappy", "deflate"} {
		if encoding.GetCompressor(name) != nil {
			t.Errorf("gRPC compressor %q is registered", name)
		}
	}
}
