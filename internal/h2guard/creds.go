package h2guard

import (
	"net"

	"google.golang.org/grpc/credentials"
)

// Credentials wraps a gRPC server's transport credentials (TLS, or
// insecure.NewCredentials for plaintext) so that every connection they
// hand to the server, after the handshake, is a Conn with the given
// limit. ClientHandshake is inner's, unchanged.
func Credentials(inner credentials.TransportCredentials, limit uint32) credentials.TransportCredentials {
	return creds{inner, limit, nil}
}

// AdmittingCredentials is Credentials whose Conns also admit messages
// into a's budget (NewAdmittingConn). The AuthInfo of their connections is
// an AuthInfo wrapping inner's, so that handlers can tell (Admits).
func AdmittingCredentials(inner credentials.TransportCredentials, limit uint32, a *Admission) credentials.TransportCredentials {
	return creds{inner, limit, a}
}

type creds struct {
	credentials.TransportCredentials
	limit uint32
	adm   *Admission
}

func (c creds) ServerHandshake(raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	conn, info, err := c.TransportCredentials.ServerHandshake(raw)
	if err != nil {
		return nil, nil, err
	}
	g := NewAdmittingConn(conn, c.limit, c.adm)
	if g.led != nil {
		info = AuthInfo{Inner: info}
	}
	return g, info, nil
}

func (c creds) Clone() credentials.TransportCredentials {
	return creds{c.TransportCredentials.Clone(), c.limit, c.adm}
}
