// A grpc-go (Debian's 1.33) server for idlcall's tests: grpc-go's test service
// (grpc.testing.TestService, every call shape), the health service and server
// reflection (v1alpha, the only version 1.33 has). It prints its address on the
// first line of stdout, then reads commands from stdin, one per line:
//
//	status SERVICE SERVING|NOT_SERVING   set a health status ("-" for the empty name)
//	shutdown                             health Shutdown (every status NOT_SERVING)
//
// and exits when stdin closes.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	testpb "google.golang.org/grpc/test/grpc_testing"
)

type testServer struct {
	testpb.UnimplementedTestServiceServer
}

func payload(t testpb.PayloadType, size int32) *testpb.Payload {
	return &testpb.Payload{Type: t, Body: make([]byte, size)}
}

func (testServer) EmptyCall(ctx context.Context, in *testpb.Empty) (*testpb.Empty, error) {
	return &testpb.Empty{}, nil
}

func (testServer) UnaryCall(ctx context.Context, in *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	out := &testpb.SimpleResponse{Payload: payload(in.ResponseType, in.ResponseSize)}
	if in.FillUsername {
		out.Username = "go-peer"
	}
	return out, nil
}

func (testServer) StreamingOutputCall(in *testpb.StreamingOutputCallRequest, stream testpb.TestService_StreamingOutputCallServer) error {
	for _, p := range in.ResponseParameters {
		if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: payload(in.ResponseType, p.Size)}); err != nil {
			return err
		}
	}
	return nil
}

func (testServer) StreamingInputCall(stream testpb.TestService_StreamingInputCallServer) error {
	var sum int32
	for {
		in, err := stream.Recv()
		if err == io.EOF {
			return stream.SendAndClose(&testpb.StreamingInputCallResponse{AggregatedPayloadSize: sum})
		}
		if err != nil {
			return err
		}
		sum += int32(len(in.GetPayload().GetBody()))
	}
}

func (testServer) FullDuplexCall(stream testpb.TestService_FullDuplexCallServer) error {
	for {
		in, err := stream.Recv()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		for _, p := range in.ResponseParameters {
			if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: payload(in.ResponseType, p.Size)}); err != nil {
				return err
			}
		}
	}
}

func (testServer) HalfDuplexCall(stream testpb.TestService_HalfDuplexCallServer) error {
	var all []*testpb.StreamingOutputCallRequest
	for {
		in, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		all = append(all, in)
	}
	for _, in := range all {
		for _, p := range in.ResponseParameters {
			if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: payload(in.ResponseType, p.Size)}); err != nil {
				return err
			}
		}
	}
	return nil
}

func main() {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	s := grpc.NewServer()
	testpb.RegisterTestServiceServer(s, testServer{})
	h := health.NewServer()
	h.SetServingStatus("grpc.testing.TestService", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, h)
	reflection.Register(s)
	fmt.Println(lis.Addr().String())
	go s.Serve(lis)

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 3 && f[0] == "status":
			name := f[1]
			if name == "-" {
				name = ""
			}
			h.SetServingStatus(name, healthpb.HealthCheckResponse_ServingStatus(healthpb.HealthCheckResponse_ServingStatus_value[f[2]]))
			fmt.Println("ok")
		case len(f) == 1 && f[0] == "shutdown":
			h.Shutdown()
			fmt.Println("ok")
		}
	}
	s.Stop()
}
