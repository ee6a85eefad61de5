"""A stand-in for the Hugging Face Hub, speaking its download protocol exactly (see TESTBED.md).

    python fake_hub.py --port P --cdn-port Q --repo ORG/NAME=FOLDER [--repo ORG/NAME=FOLDER:gated] \
        [--token T] [--log FILE]

- Hub on 127.0.0.1:P; the "CDN" on localhost:Q: a different host name, so a client that sends the
  Authorization header to the CDN is caught (every CDN request is logged to --log as JSON lines).
- Files of 1 MiB or more, and *.gguf/*.safetensors/*.bin, are LFS: `resolve` answers 302 to the CDN
  with X-Linked-Etag (sha256) and X-Linked-Size; smaller files answer 200 with ETag = git blob sha1.
- `X-Repo-Commit` on every resolve; errors carry X-Error-Code (RepoNotFound, EntryNotFound,
  RevisionNotFound, GatedRepo).
- /api/models/{repo}/revision/{rev} (siblings; sizes and lfs with ?blobs=true) and
  /api/models/{repo}/tree/{rev}?recursive=true.
- The CDN honours Range (206 with Content-Range).
- --hostile ORG/NAME lists an extra file "../../escape.txt" in that repository's API answers.
- --hostile-value ORG/NAME:commit=VALUE answers VALUE as that repository's commit (X-Repo-Commit
  and the listing's sha); ORG/NAME:etag=VALUE as every file's etag (ETag and X-Linked-Etag).
- --faults '{"<sha256>": ["429", "500", "cut:N", "stall:N", "norange", "corrupt"]}': each CDN request
  for that blob takes the next fault: answer 429 (Retry-After: 1) or 500, send N bytes then drop the
  connection, send N bytes then hold the connection silent for 60 s (a client to kill mid-file),
  ignore Range (200 from byte 0), flip a byte in the body, or wait 2 s first ("slow").
  "slow-from:S" is not taken in turn: it delays by 2 s the first request whose range starts at byte S
  (to make parallel ranges finish out of order).
- Each CDN request is logged twice: when it starts (with an "id"), and when it ends ({"id", "end":
  true, "sent"}: the body bytes actually written).
"""
import argparse, hashlib, json, os, re, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs, unquote

LFS_SUFFIXES = (".gguf", ".safetensors", ".bin")
LFS_MIN = 1 << 20

def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()

def git_sha1(path):
    data = open(path, "rb").read()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

class Repo:
    def __init__(self, repo_id, folder, gated):
        self.id, self.gated, self.files = repo_id, gated, {}
        for dirpath, _, names in os.walk(folder):
            for name in names:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, folder).replace(os.sep, "/")
                size = os.path.getsize(full)
                lfs = size >= LFS_MIN or rel.endswith(LFS_SUFFIXES)
                self.files[rel] = {"full": full, "size": size, "lfs": lfs,
                                   "sha256": sha256(full) if lfs else None, "oid": git_sha1(full)}
        listing = "".join(f"{p}\t{f['oid']}\n" for p, f in sorted(self.files.items()))
        self.commit = hashlib.sha1(listing.encode()).hexdigest()
        self.etag = None

class State:
    repos, blobs, token, log, cdn, faults, hostile = {}, {}, None, None, "", {}, set()
    lock = threading.Lock()
    requests = 0

def error(handler, status, code, message):
    body = json.dumps({"error": message}).encode()
    handler.send_response(status)
    handler.send_header("X-Error-Code", code)
    handler.send_header("X-Error-Message", message)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)

class Hub(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def authorized(self, repo):
        if not repo.gated:
            return True
        return State.token is not None and self.headers.get("Authorization") == f"Bearer {State.token}"

    def find(self, org, name, rev):
        repo = State.repos.get(f"{org}/{name}")
        if repo is None:
            return None, (401, "RepoNotFound", f"Repository Not Found for url: {self.path}.")
        if not self.authorized(repo):
            return None, (401, "GatedRepo", f"Access to model {repo.id} is restricted. You must have access to it and be authenticated to access it.")
        if unquote(rev) not in ("main", repo.commit):
            return None, (404, "RevisionNotFound", f"Invalid rev id: {rev}")
        return repo, None

    def do_HEAD(self):
        self.handle_request()

    def do_GET(self):
        self.handle_request()

    def handle_request(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        m = re.fullmatch(r"/api/models/([^/]+)/([^/]+)/(revision|tree)/([^/]+)(?:/(.*))?", url.path)
        if m:
            org, name, kind, rev, _ = m.groups()
            repo, problem = self.find(org, name, rev)
            if problem:
                return error(self, *problem)
            return self.api(repo, kind, query)
        m = re.fullmatch(r"/([^/]+)/([^/]+)/resolve/([^/]+)/(.+)", url.path)
        if m:
            org, name, rev, path = m.groups()
            repo, problem = self.find(org, name, rev)
            if problem:
                return error(self, *problem)
            return self.resolve(repo, unquote(path))
        error(self, 404, "NotFound", "no such endpoint")

    def api(self, repo, kind, query):
        if kind == "revision":
            siblings = []
            for path, f in sorted(repo.files.items()):
                entry = {"rfilename": path}
                if query.get("blobs") == ["true"]:
                    entry["size"] = f["size"]
                    entry["blobId"] = f["oid"]
                    if f["lfs"]:
                        entry["lfs"] = {"sha256": f["sha256"], "size": f["size"], "pointerSize": 134}
                siblings.append(entry)
            if repo.id in State.hostile:
                siblings.append({"rfilename": "../../escape.txt", "size": 5})
            body = {"id": repo.id, "modelId": repo.id, "sha": repo.commit, "private": False,
                    "gated": "auto" if repo.gated else False, "siblings": siblings}
        else:
            body, folders = [], set()
            for path, f in sorted(repo.files.items()):
                parts = path.split("/")
                for i in range(1, len(parts)):
                    folders.add("/".join(parts[:i]))
                entry = {"type": "file", "oid": f["oid"], "size": f["size"], "path": path}
                if f["lfs"]:
                    entry["lfs"] = {"oid": f["sha256"], "size": f["size"], "pointerSize": 134}
                body.append(entry)
            body += [{"type": "directory", "oid": "0" * 40, "size": 0, "path": p} for p in sorted(folders)]
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def resolve(self, repo, path):
        f = repo.files.get(path)
        if f is None:
            return error(self, 404, "EntryNotFound", f"{path} does not exist on \"main\"")
        if f["lfs"]:
            self.send_response(302)
            self.send_header("Location", f"{State.cdn}/{f['sha256']}?repo={repo.id}")
            self.send_header("X-Repo-Commit", repo.commit)
            self.send_header("X-Linked-Etag", f"\"{repo.etag or f['sha256']}\"")
            self.send_header("X-Linked-Size", str(f["size"]))
            self.send_header("ETag", f"\"{repo.etag or f['oid']}\"")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(f["full"], "rb").read()
        self.send_response(200)
        self.send_header("X-Repo-Commit", repo.commit)
        self.send_header("ETag", f"\"{repo.etag or f['oid']}\"")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

class CDN(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self.serve()

    def do_GET(self):
        self.serve()

    def serve(self):
        url = urlsplit(self.path)
        digest = url.path.strip("/")
        with State.lock:
            State.requests += 1
            ident = State.requests
        record = {"id": ident, "method": self.command, "blob": digest, "range": self.headers.get("Range"),
                  "authorization": self.headers.get("Authorization") is not None}
        self.log(record)
        outcome = {"id": ident, "end": True, "sent": 0}
        try:
            self.answer(digest, outcome)
        finally:
            self.log(outcome)

    def log(self, record):
        if State.log:
            with State.lock, open(State.log, "a") as log:
                log.write(json.dumps(record) + "\n")

    def answer(self, digest, record):
        with State.lock:
            pending = State.faults.get(digest) or []
            start_match = re.match(r"bytes=(\d+)-", self.headers.get("Range") or "bytes=0-")
            delayed = f"slow-from:{start_match.group(1)}" if start_match else None
            if delayed in pending:
                pending.remove(delayed)
                fault = "slow"
            else:
                taken = [f for f in pending if not f.startswith("slow-from:")]
                fault = taken[0] if taken else None
                if fault:
                    pending.remove(fault)
        if fault == "slow":
            time.sleep(2)
        if fault in ("429", "500"):
            self.send_response(int(fault))
            if fault == "429":
                self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        full = State.blobs.get(digest)
        if full is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        size = os.path.getsize(full)
        start, end, status = 0, size - 1, 200
        m = None if fault == "norange" else re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range") or "")
        if m:
            start = int(m.group(1))
            end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f"\"{digest}\"")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if self.command == "HEAD":
            return
        cut = int(fault.split(":")[1]) if fault and fault.startswith("cut:") else None
        stall = int(fault.split(":")[1]) if fault and fault.startswith("stall:") else None
        sent = 0
        with open(full, "rb") as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                block = f.read(min(left, 1 << 20))
                if not block:
                    break
                if fault == "corrupt" and sent == 0:
                    block = bytes([block[0] ^ 0xFF]) + block[1:]
                if stall is not None and sent + len(block) >= stall:
                    self.wfile.write(block[: stall - sent])
                    self.wfile.flush()
                    record["sent"] = stall
                    time.sleep(60)
                    return
                if cut is not None and sent + len(block) >= cut:
                    self.wfile.write(block[: cut - sent])
                    self.wfile.flush()
                    record["sent"] = cut
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                try:
                    self.wfile.write(block)
                except (BrokenPipeError, ConnectionResetError):
                    return
                sent += len(block)
                record["sent"] = sent
                left -= len(block)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cdn-port", type=int, required=True)
    parser.add_argument("--repo", action="append", default=[])
    parser.add_argument("--token")
    parser.add_argument("--log")
    parser.add_argument("--faults", default="{}")
    parser.add_argument("--hostile", action="append", default=[])
    parser.add_argument("--hostile-value", action="append", default=[])
    parser.add_argument("--cdn-url", help="redirect LFS files here instead of the built-in CDN (e.g. an nginx)")
    args = parser.parse_args()
    State.hostile = set(args.hostile)
    State.faults = json.loads(args.faults)
    State.token, State.log = args.token, args.log
    State.cdn = args.cdn_url or f"http://localhost:{args.cdn_port}"
    for spec in args.repo:
        repo_id, rest = spec.split("=", 1)
        folder, _, flag = rest.partition(":")
        repo = Repo(repo_id, folder, flag == "gated")
        State.repos[repo_id] = repo
        for f in repo.files.values():
            if f["lfs"]:
                State.blobs[f["sha256"]] = f["full"]
    for spec in args.hostile_value:
        repo_id, rest = spec.split(":", 1)
        field, value = rest.split("=", 1)
        setattr(State.repos[repo_id], field, value)
    hub = ThreadingHTTPServer(("127.0.0.1", args.port), Hub)
    cdn = ThreadingHTTPServer(("127.0.0.1", args.cdn_port), CDN)
    threading.Thread(target=cdn.serve_forever, daemon=True).start()
    print("ready", flush=True)
    hub.serve_forever()

if __name__ == "__main__":
    main()
