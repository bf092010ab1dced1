package server

import (
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/bounced/bounced/internal/gen/bounced/v1"
)

// The generated marshaller (encodeWire, passCodec) does not check that
// strings are valid UTF-8, as proto.Marshal does; a client's decoder
// refuses a message that holds one that is not. checkWireUTF8 makes the
// same check on the encoded bytes, guided by the message's descriptor: one
// pass over the wire form, only string fields read. The engine already
// makes every string valid (bounce, dsn): this is the last guard, behind
// the UNENCODABLE_RESULT answer (issue 8).

// errWireUTF8 is the error of a string field that is not valid UTF-8.
var errWireUTF8 = errors.New("string field contains invalid UTF-8")

// wireKinds is, per field number, what checkWireUTF8 does with a field of
// one message type: skip it, check it as a string, or descend into it
// (sub holds the nested type's table, linked when the table is built, so
// the walk looks nothing up).
type wireKinds struct {
	kind []uint8      // by field number: kindSkip, kindString, kindMessage
	sub  []*wireKinds // by field number, for kindMessage
	md   protoreflect.MessageDescriptor
}

const (
	kindSkip uint8 = iota
	kindString
	kindMessage
)

// wireKindsCache holds the table of each top-level message type the codec
// met (protoreflect.FullName → *wireKinds).
var wireKindsCache sync.Map

// kindsOf returns md's table, built once.
func kindsOf(md protoreflect.MessageDescriptor) *wireKinds {
	if k, ok := wireKindsCache.Load(md.FullName()); ok {
		return k.(*wireKinds)
	}
	k := buildKinds(md, map[protoreflect.FullName]*wireKinds{})
	wireKindsCache.Store(md.FullName(), k)
	return k
}

// buildKinds builds md's table and those of the types inside it; seen
// ends recursive types.
func buildKinds(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]*wireKinds) *wireKinds {
	if k, ok := seen[md.FullName()]; ok {
		return k
	}
	fields := md.Fields()
	top := 0
	for i := 0; i < fields.Len(); i++ {
		top = max(top, int(fields.Get(i).Number()))
	}
	k := &wireKinds{kind: make([]uint8, top+1), sub: make([]*wireKinds, top+1), md: md}
	seen[md.FullName()] = k
	for i := 0; i < fields.Len(); i++ {
		f := fields.Get(i)
		switch f.Kind() {
		case protoreflect.StringKind:
			k.kind[f.Number()] = kindString
		case protoreflect.MessageKind: // map entries too
			k.kind[f.Number()] = kindMessage
			k.sub[f.Number()] = buildKinds(f.Message(), seen)
		}
	}
	return k
}

// parseResponseKinds is ParseResponse's table, for encodeWire.
var parseResponseKinds = sync.OnceValue(func() *wireKinds {
	return kindsOf((*pb.ParseResponse)(nil).ProtoReflect().Descriptor())
})

// The tables of the requests the server receives most, looked up by type
// rather than by name in wireKindsCache (a hash of the full name per
// message).
var (
	parseStreamRequestKinds = sync.OnceValue(func() *wireKinds {
		return kindsOf((*pb.ParseStreamRequest)(nil).ProtoReflect().Descriptor())
	})
	parseRequestKinds = sync.OnceValue(func() *wireKinds {
		return kindsOf((*pb.ParseRequest)(nil).ProtoReflect().Descriptor())
	})
)

// requestKinds is m's table.
func requestKinds(m vtMessage) *wireKinds {
	switch m.(type) {
	case *pb.ParseStreamRequest:
		return parseStreamRequestKinds()
	case *pb.ParseRequest:
		return parseRequestKinds()
	}
	return kindsOf(m.ProtoReflect().Descriptor())
}

// checkWireUTF8 reports errWireUTF8 (wrapped with the field's name) when
// a string field of the message encoded in b, or of a message inside it,
// is not valid UTF-8, and an error when b is not a well-formed encoding.
func checkWireUTF8(b []byte, k *wireKinds) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		if num > protowire.MaxValidNumber {
			// proto.Unmarshal refuses it; the generated unmarshaller
			// would keep it as an unknown field (FuzzCodecUnmarshal,
			// seed ba9bda27).
			return fmt.Errorf("proto: field number %d out of range", num)
		}
		b = b[n:]
		if typ != protowire.BytesType || int(num) >= len(k.kind) || k.kind[num] == kindSkip {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return protowire.ParseError(n)
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		switch k.kind[num] {
		case kindString:
			if !utf8.Valid(v) {
				return fmt.Errorf("%s.%s: %w", k.md.FullName(), k.md.Fields().ByNumber(num).Name(), errWireUTF8)
			}
		case kindMessage:
			if err := checkWireUTF8(v, k.sub[num]); err != nil {
				return err
			}
		}
	}
	return nil
}
