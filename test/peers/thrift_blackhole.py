"""A TCP listener that never accepts (backlog 0): once its accept queue is full,
further connection attempts hang, which exercises client connect timeouts.
Prints its port; exits when stdin closes or after 60 s."""
import os
import socket
import sys
import threading

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
s.listen(0)
threading.Timer(60, lambda: os._exit(0)).start()
print(s.getsockname()[1], flush=True)
while sys.stdin.read(1024):
    pass
os._exit(0)
