"""Starts each supporting service for real, waits until it answers, and reports its memory.

Resident memory is the sum of PSS (proportional set size, from /proc/PID/smaps_rollup) over the
service's processes, so PostgreSQL's shared buffers are not counted once per backend.
"""
import json, os, pwd, shutil, socket, subprocess, sys, tempfile, time, urllib.request

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def pss(pid):
    total = 0
    pids = [pid] + children(pid)
    for p in pids:
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            pass
    return total

def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, IndexError, ValueError):
                continue
            if ppid == pid:
                out += [int(entry)] + children(int(entry))
    return out

def wait_http(url, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds} s")

EMBEDDING_SERVER = r'''
import sys
from flask import Flask, request, jsonify
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(sys.argv[1], device="cpu")
app = Flask(__name__)
@app.post("/v1/embeddings")
def embeddings():
    texts = request.json["input"]
    texts = [texts] if isinstance(texts, str) else texts
    vectors = model.encode(texts, convert_to_numpy=True)
    return jsonify({"object": "list", "data": [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]})
@app.get("/health")
def health():
    return jsonify({"status": "ok"})
app.run(host="127.0.0.1", port=int(sys.argv[2]))
'''

def embedding_server():
    port = free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    proc = subprocess.Popen([sys.executable, "-c", EMBEDDING_SERVER, os.environ["SYNAPSE_LOCAL_TESTBED_MINILM"], str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/health")
        body = json.dumps({"input": ["a first sentence to embed", "and a second one"], "model": "all-MiniLM-L6-v2"}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/embeddings", body, {"Content-Type": "application/json"})
        dims = len(json.load(urllib.request.urlopen(req))["data"][0]["embedding"])
        time.sleep(1)
        return pss(proc.pid), f"all-MiniLM-L6-v2, {dims} dims, after one request"
    finally:
        proc.terminate(); proc.wait()

def postgres():
    bin_dir = os.environ["SYNAPSE_LOCAL_TESTBED_PG_BIN"]
    data = tempfile.mkdtemp(prefix="synapse-local-pg-", dir="/tmp")
    sock = tempfile.mkdtemp(prefix="synapse-local-pgsock-", dir="/tmp")
    port = free_port()
    run_as = []
    if os.getuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chown(data, nobody.pw_uid, nobody.pw_gid); os.chown(sock, nobody.pw_uid, nobody.pw_gid)
        run_as = ["runuser", "-u", "nobody", "--"]
    def run(*args):
        subprocess.run(run_as + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run(f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "--auth=trust")
        run(f"{bin_dir}/pg_ctl", "-D", data, "-w", "-o", f"-p {port} -k {sock} -c listen_addresses=127.0.0.1", "start")
        run(f"{bin_dir}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "CREATE EXTENSION vector")
        run(f"{bin_dir}/psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", "SELECT '[1,2,3]'::vector <-> '[3,2,1]'::vector")
        pid = int(open(f"{data}/postmaster.pid").readline())
        time.sleep(1)
        return pss(pid), "PostgreSQL 16 + pgvector, idle after CREATE EXTENSION"
    finally:
        subprocess.run(run_as + [f"{bin_dir}/pg_ctl", "-D", data, "-m", "fast", "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(data, ignore_errors=True); shutil.rmtree(sock, ignore_errors=True)

def node():
    node = shutil.which("node")
    if not node:
        return None, "node not installed"
    port = free_port()
    proc = subprocess.Popen([node, "-e", f"require('http').createServer((q,s)=>s.end('ok')).listen({port}, '127.0.0.1')"])
    try:
        wait_http(f"http://127.0.0.1:{port}/")
        time.sleep(0.5)
        return pss(proc.pid), "bare Node HTTP server (the Synapse backend adds its libraries)"
    finally:
        proc.terminate(); proc.wait()

rows = [("embedding server", *embedding_server()), ("postgres", *postgres()), ("node", *node())]
for name, size, note in rows:
    print(f"{name:18} {size/2**20:8.1f} MiB  {size if size else '':>12}  {note}")
