"""grpc-python stubs for a .proto, generated with grpc_tools into a temporary directory that is
removed at exit; shared by the Python gRPC peers."""
import atexit
import os
import shutil
import sys
import tempfile

from grpc_tools import protoc


def load_stubs(proto_path, prefix):
    """Returns the (pb2, pb2_grpc) modules generated for proto_path; exits if protoc fails."""
    out = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, out, True)
    rc = protoc.main(["protoc", "-I" + os.path.dirname(proto_path), "--python_out=" + out,
                      "--grpc_python_out=" + out, proto_path])
    if rc != 0:
        sys.exit("protoc failed")
    sys.path.insert(0, out)
    base = os.path.splitext(os.path.basename(proto_path))[0]
    return __import__(base + "_pb2"), __import__(base + "_pb2_grpc")
