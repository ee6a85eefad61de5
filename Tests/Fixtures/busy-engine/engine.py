#!/usr/bin/env python3
"""A stand-in for llama-server that is busy: it speaks /health, /metrics (llama.cpp's counter
names) and streamed /v1/chat/completions, and streams one token every 0.2 s for --seconds. While
a stream is under way its /health hangs (an HTTP loop starved by the work), and with
--stall-metrics its /metrics hangs too, so only the bytes it streams show it is alive.

  engine.py --port PORT --seconds 60 [--stall-metrics]
"""
import argparse, json, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--seconds", type=float, default=60)
parser.add_argument("--stall-metrics", action="store_true")
args = parser.parse_args()

lock = threading.Lock()
state = {"streams": 0, "decoded": 0, "predicted": 0, "predicted_seconds": 0.0}
idle = threading.Condition(lock)


def wait_while_streaming():
    with idle:
        while state["streams"] > 0:
            idle.wait()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            wait_while_streaming()
            return self.send(200, '{"status": "ok"}')
        if self.path == "/metrics":
            if args.stall_metrics:
                wait_while_streaming()
            with lock:
                text = (
                    f"llamacpp:prompt_tokens_total 0\n"
                    f"llamacpp:tokens_predicted_total {state['predicted']}\n"
                    f"llamacpp:tokens_predicted_seconds_total {state['predicted_seconds']}\n"
                    f"llamacpp:n_decode_total {state['decoded']}\n"
                )
            return self.send(200, text, "text/plain; version=0.0.4")
        self.send(404, '{"error": "not found"}')

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/v1/chat/completions":
            return self.send(404, '{"error": "not found"}')
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with lock:
            state["streams"] += 1
        began = time.monotonic()
        try:
            while time.monotonic() - began < args.seconds:
                time.sleep(0.2)
                with lock:
                    state["decoded"] += 1
                event = json.dumps({"choices": [{"index": 0, "delta": {"content": "tok "}}]})
                self.chunk(f"data: {event}\n\n")
            self.chunk("data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        finally:
            with idle:
                state["streams"] -= 1
                state["predicted"] += state["decoded"]
                state["predicted_seconds"] += time.monotonic() - began
                idle.notify_all()

    def chunk(self, text):
        data = text.encode()
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


ThreadingHTTPServer.daemon_threads = True
# A health check given up on closes its connection before the answer: nothing to report.
ThreadingHTTPServer.handle_error = lambda self, request, address: None
ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()
