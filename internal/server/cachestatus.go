package server

import (
	"github.com/bounced/bounced/internal/bounce"
	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// CacheStatusProto converts the engine's cache status to its wire form
// (for adapters that set it after the domain memory write, as Parse does).
func CacheStatusProto(s bounce.CacheStatus) pb.CacheStatus { return cacheStatuses[s] }
