"""A stand-in for GitHub's releases, served the way SYNAPSE_LOCAL_ENGINE_MIRROR expects a mirror:

    python fake_release.py --port P --root DIR [--log FILE] [--faults JSON] [--digest NAME=HEX] [--no-digest NAME]
        [--storage-url URL]

- DIR/<owner>/<name>/<tag>/<asset> are the release's files.
- GET /repos/<owner>/<name>/releases/tags/<tag> answers GitHub's release JSON: tag_name, and per
  asset name, size, digest "sha256:<hex>", browser_download_url, content_type, state "uploaded";
  404 {"message": "Not Found"} for an unknown repository or tag. --digest publishes another digest
  for an asset (a tampered mirror); --no-digest publishes none (older releases have none).
- GET|HEAD /<owner>/<name>/releases/download/<tag>/<asset> answers 302 to the storage host, as
  github.com does: the same port under the name "localhost" (the client must follow the redirect
  itself, and a ranged GET must go to the storage URL).
- The storage (/storage/<owner>/<name>/<tag>/<asset>) honours Range (206 with Content-Range).
  --storage-url URL redirects to URL/<owner>/<name>/<tag>/<asset> instead (an nginx, for benchmarks).
- --faults '{"<asset>": ["cut:N", "500", "corrupt"]}': each storage GET of that asset takes the next
  fault: send N bytes then drop the connection, answer 500, or flip a byte in the body.
- Every request is logged to --log as a JSON line: method, path, range.
"""
import argparse, hashlib, json, os, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class State:
    root, log, faults, digests, hidden, port, storage = "", None, {}, {}, set(), 0, None
    lock = threading.Lock()

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self):
        if State.log:
            with State.lock, open(State.log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": self.path, "host": self.headers.get("Host"),
                                    "range": self.headers.get("Range")}) + "\n")

    def send_json(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        self.record()
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) == 6 and parts[0] == "repos" and parts[3:5] == ["releases", "tags"]:
            return self.release(parts[1], parts[2], parts[5])
        if len(parts) == 6 and parts[2:4] == ["releases", "download"]:
            owner, name, _, _, tag, asset = parts
            if not os.path.isfile(os.path.join(State.root, owner, name, tag, asset)):
                return self.send_json(404, {"message": "Not Found"})
            self.send_response(302)
            base = State.storage or f"http://localhost:{State.port}/storage"
            self.send_header("Location", f"{base}/{owner}/{name}/{tag}/{asset}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if len(parts) == 5 and parts[0] == "storage":
            return self.storage(os.path.join(State.root, *parts[1:]), parts[4])
        self.send_json(404, {"message": "Not Found"})

    def release(self, owner, name, tag):
        folder = os.path.join(State.root, owner, name, tag)
        if not os.path.isdir(folder):
            return self.send_json(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        assets = []
        for index, asset in enumerate(sorted(os.listdir(folder))):
            path = os.path.join(folder, asset)
            entry = {"id": index + 1, "name": asset, "size": os.path.getsize(path), "state": "uploaded",
                     "content_type": "application/octet-stream",
                     "browser_download_url": f"http://127.0.0.1:{State.port}/{owner}/{name}/releases/download/{tag}/{asset}"}
            if asset not in State.hidden:
                entry["digest"] = "sha256:" + State.digests.get(asset, sha256(path))
            assets.append(entry)
        self.send_json(200, {"tag_name": tag, "name": tag, "draft": False, "prerelease": False, "assets": assets})

    def storage(self, path, asset):
        if not os.path.isfile(path):
            return self.send_json(404, {"message": "Not Found"})
        size = os.path.getsize(path)
        start, end = 0, size - 1
        header = self.headers.get("Range")
        if header and header.startswith("bytes="):
            first, _, last = header[6:].partition("-")
            start, end = int(first), (int(last) if last else size - 1)
        fault = None
        if self.command == "GET":
            with State.lock:
                queue = State.faults.get(asset, [])
                fault = queue.pop(0) if queue else None
        if fault == "500":
            return self.send_json(500, {"message": "Server Error"})
        self.send_response(206 if header else 200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start + 1))
        if header:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        if self.command == "HEAD":
            return
        with open(path, "rb") as f:
            f.seek(start)
            data = f.read(end - start + 1)
        if fault == "corrupt":
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        if fault and fault.startswith("cut:"):
            self.wfile.write(data[:int(fault[4:])])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--log")
    parser.add_argument("--faults", default="{}")
    parser.add_argument("--digest", action="append", default=[])
    parser.add_argument("--no-digest", action="append", default=[])
    parser.add_argument("--storage-url")
    args = parser.parse_args()
    State.root, State.log, State.port = args.root, args.log, args.port
    State.faults = json.loads(args.faults)
    State.digests = dict(item.split("=", 1) for item in args.digest)
    State.hidden = set(args.no_digest)
    State.storage = args.storage_url
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("ready", flush=True)
    server.serve_forever()

if __name__ == "__main__":
    main()
