package server

import (
	_ "embed"
	"fmt"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/reflection"
	v1reflectiongrpc "google.golang.org/grpc/reflection/grpc_reflection_v1"
	v1alphareflectiongrpc "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// descriptorSet is proto/ built by `make generate` (buf build
// --as-file-descriptor-set) with its imports and source info, so that
// reflection (grpcurl describe) shows the proto's comments:
// protoc-gen-go drops the comments from the descriptors it embeds.
//
//go:embed bounced.binpb
var descriptorSet []byte

// commentedFiles are the files of descriptorSet.
var commentedFiles = sync.OnceValues(func() (*protoregistry.Files, error) {
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(descriptorSet, &set); err != nil {
		return nil, fmt.Errorf("server: embedded descriptors: %w", err)
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		return nil, fmt.Errorf("server: embedded descriptors: %w", err)
	}
	return files, nil
})

// commentedResolver answers from the embedded descriptors first and from
// the descriptors compiled into the binary (health, reflection) after.
type commentedResolver struct{ files *protoregistry.Files }

func (r commentedResolver) FindFileByPath(path string) (protoreflect.FileDescriptor, error) {
	if fd, err := r.files.FindFileByPath(path); err == nil {
		return fd, nil
	}
	return protoregistry.GlobalFiles.FindFileByPath(path)
}

func (r commentedResolver) FindDescriptorByName(name protoreflect.FullName) (protoreflect.Descriptor, error) {
	if d, err := r.files.FindDescriptorByName(name); err == nil {
		return d, nil
	}
	return protoregistry.GlobalFiles.FindDescriptorByName(name)
}

// registerReflection registers server reflection (v1 and v1alpha) serving
// the commented descriptors; it falls back to the compiled ones (no
// comments) if the embedded set cannot be read.
func registerReflection(s *grpc.Server) {
	files, err := commentedFiles()
	if err != nil {
		reflection.Register(s)
		return
	}
	opts := reflection.ServerOptions{Services: s, DescriptorResolver: commentedResolver{files}}
	v1 := reflection.NewServerV1(opts)
	v1reflectiongrpc.RegisterServerReflectionServer(s, v1)
	v1alphareflectiongrpc.RegisterServerReflectionServer(s, reflection.NewServer(opts))
}
