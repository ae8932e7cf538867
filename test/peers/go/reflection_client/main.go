// A grpc-go (Debian's 1.33) client for idlcall's tests: it asks a server's reflection
// (v1alpha, the only version 1.33 has) and health service, decodes what comes back with
// golang/protobuf, and prints one JSON document per line on stdout.
//
//	reflection_client ADDR reflect [EXTENDEE NUMBER]   services, files by symbol and by name, errors
//	reflection_client ADDR check SERVICE...            one Check per service ("-" is the empty name)
//	reflection_client ADDR watch SERVICE               each Watch update as it arrives, then the end status
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/golang/protobuf/proto"
	dpb "github.com/golang/protobuf/protoc-gen-go/descriptor"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/grpc/status"
)

type method struct {
	Name            string `json:"name"`
	Input           string `json:"input"`
	Output          string `json:"output"`
	ClientStreaming bool   `json:"clientStreaming"`
	ServerStreaming bool   `json:"serverStreaming"`
}

type file struct {
	Name         string              `json:"name"`
	Package      string              `json:"package"`
	Dependencies []string            `json:"dependencies"`
	Messages     []string            `json:"messages"`
	Fields       map[string][]string `json:"fields"`
	Services     map[string][]method `json:"services"`
	// The bytes as received.
	Raw []byte `json:"raw"`
}

func describe(b []byte) file {
	var fd dpb.FileDescriptorProto
	if err := proto.Unmarshal(b, &fd); err != nil {
		fail(err)
	}
	f := file{Name: fd.GetName(), Package: fd.GetPackage(), Dependencies: fd.Dependency, Fields: map[string][]string{}, Services: map[string][]method{}, Raw: b}
	var walk func(prefix string, ms []*dpb.DescriptorProto)
	walk = func(prefix string, ms []*dpb.DescriptorProto) {
		for _, m := range ms {
			name := prefix + m.GetName()
			f.Messages = append(f.Messages, name)
			for _, fl := range m.Field {
				f.Fields[name] = append(f.Fields[name], fmt.Sprintf("%s=%d:%s:%s%s", fl.GetName(), fl.GetNumber(), fl.GetLabel(), fl.GetType(), fl.GetTypeName()))
			}
			walk(name+".", m.NestedType)
		}
	}
	pkg := ""
	if fd.GetPackage() != "" {
		pkg = fd.GetPackage() + "."
	}
	walk(pkg, fd.MessageType)
	for _, s := range fd.Service {
		for _, m := range s.Method {
			f.Services[pkg+s.GetName()] = append(f.Services[pkg+s.GetName()], method{m.GetName(), m.GetInputType(), m.GetOutputType(), m.GetClientStreaming(), m.GetServerStreaming()})
		}
	}
	return f
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func out(v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		fail(err)
	}
	fmt.Println(string(b))
}

func ask(stream rpb.ServerReflection_ServerReflectionInfoClient, req *rpb.ServerReflectionRequest) *rpb.ServerReflectionResponse {
	if err := stream.Send(req); err != nil {
		fail(err)
	}
	res, err := stream.Recv()
	if err != nil {
		fail(err)
	}
	return res
}

type errorAnswer struct {
	Code    int32  `json:"code"`
	Message string `json:"message"`
}

func reflect(conn *grpc.ClientConn, args []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stream, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		fail(err)
	}
	report := map[string]interface{}{}
	list := ask(stream, &rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{ListServices: "*"}})
	var services []string
	for _, s := range list.GetListServicesResponse().GetService() {
		services = append(services, s.GetName())
	}
	report["services"] = services
	files := map[string]file{}
	bySymbol := map[string][]string{}
	for _, s := range services {
		res := ask(stream, &rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: s}})
		for _, b := range res.GetFileDescriptorResponse().GetFileDescriptorProto() {
			f := describe(b)
			files[f.Name] = f
			bySymbol[s] = append(bySymbol[s], f.Name)
		}
	}
	// Every file again by name, on a fresh stream (so each answer starts with the file asked for).
	stream2, err := rpb.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
	if err != nil {
		fail(err)
	}
	byName := map[string][]string{}
	var names []string
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		res := ask(stream2, &rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileByFilename{FileByFilename: name}})
		for _, b := range res.GetFileDescriptorResponse().GetFileDescriptorProto() {
			byName[name] = append(byName[name], describe(b).Name)
		}
	}
	report["files"] = files
	report["bySymbol"] = bySymbol
	report["byFilename"] = byName
	errs := map[string]errorAnswer{}
	for _, req := range []*rpb.ServerReflectionRequest{
		{MessageRequest: &rpb.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: "no.such.Symbol"}},
		{MessageRequest: &rpb.ServerReflectionRequest_FileByFilename{FileByFilename: "no/such.proto"}},
	} {
		e := ask(stream2, req).GetErrorResponse()
		errs[fmt.Sprint(req.MessageRequest)] = errorAnswer{e.GetErrorCode(), e.GetErrorMessage()}
	}
	report["errors"] = errs
	if len(args) == 2 {
		n, _ := strconv.Atoi(args[1])
		res := ask(stream2, &rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_FileContainingExtension{FileContainingExtension: &rpb.ExtensionRequest{ContainingType: args[0], ExtensionNumber: int32(n)}}})
		var names []string
		for _, b := range res.GetFileDescriptorResponse().GetFileDescriptorProto() {
			names = append(names, describe(b).Name)
		}
		report["extensionFiles"] = names
		nums := ask(stream2, &rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_AllExtensionNumbersOfType{AllExtensionNumbersOfType: args[0]}})
		report["extensionNumbers"] = nums.GetAllExtensionNumbersResponse().GetExtensionNumber()
	}
	stream.CloseSend()
	stream2.CloseSend()
	out(report)
}

func name(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

func check(conn *grpc.ClientConn, services []string) {
	c := healthpb.NewHealthClient(conn)
	for _, s := range services {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		res, err := c.Check(ctx, &healthpb.HealthCheckRequest{Service: name(s)})
		cancel()
		if err != nil {
			st, _ := status.FromError(err)
			out(map[string]interface{}{"service": s, "code": int(st.Code()), "message": st.Message()})
			continue
		}
		out(map[string]interface{}{"service": s, "status": res.GetStatus().String()})
	}
}

func watch(conn *grpc.ClientConn, service string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stream, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{Service: name(service)})
	if err != nil {
		fail(err)
	}
	for {
		res, err := stream.Recv()
		if err != nil {
			st, _ := status.FromError(err)
			out(map[string]interface{}{"end": int(st.Code()), "message": st.Message()})
			return
		}
		out(map[string]interface{}{"status": res.GetStatus().String()})
	}
}

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: reflection_client ADDR reflect|check|watch ..."))
	}
	conn, err := grpc.Dial(os.Args[1], grpc.WithInsecure(), grpc.WithBlock(), grpc.WithTimeout(10*time.Second))
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	switch os.Args[2] {
	case "reflect":
		reflect(conn, os.Args[3:])
	case "check":
		check(conn, os.Args[3:])
	case "watch":
		watch(conn, os.Args[3])
	default:
		fail(fmt.Errorf("unknown mode %q", os.Args[2]))
	}
}
