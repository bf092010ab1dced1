package server

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// TestWireForm: the wire form decodes to the response, alone (unary) and
// framed as a ParseStreamResponse, whatever the size of its length
// prefix.
func TestWireForm(t *testing.T) {
	for _, n := range []int{0, 10, 200, 20000, 3 << 20} {
		resp := &pb.ParseResponse{Source: strings.Repeat("s", n), Recipients: []*pb.Recipient{{Recipient: "u@example.com"}}}
		w, err := encodeWire(resp)
		if err != nil {
			t.Fatal(err)
		}
		var got pb.ParseResponse
		if err := proto.Unmarshal(w.response(), &got); err != nil || !proto.Equal(&got, resp) {
			t.Errorf("source of %d bytes: response() decodes to a different message (%v)", n, err)
		}
		var framed pb.ParseStreamResponse
		if err := proto.Unmarshal(w.streamResponse(), &framed); err != nil || !proto.Equal(framed.GetResponse(), resp) {
			t.Errorf("source of %d bytes: streamResponse() decodes to a different message (%v)", n, err)
		}
		want, _ := proto.Marshal(&pb.ParseStreamResponse{Response: resp})
		if len(w.streamResponse()) != len(want) {
			t.Errorf("source of %d bytes: stream form %d bytes, proto.Marshal %d", n, len(w.streamResponse()), len(want))
		}
	}
}
