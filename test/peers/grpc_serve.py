"""The life of a Python gRPC peer under a test: it listens on a loopback port, prints it, and
stops when the test closes its stdin (or after 300 s, so it never outlives a run)."""
import sys
import threading


def serve_until_stdin_closes(server):
    """Starts `server` on 127.0.0.1 at a free port, prints the port, and blocks until stdin closes."""
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait(300)
    server.stop(0)
