"""Serve one embedding model with each engine in turn and measure, from the same run: embeddings/s
(320 paragraphs of this repository's docs, 10 per request as the demo's batch_size), resident
memory of the server after the run, seconds to the first answer, and each text's cosine with the
first engine's vector (sentence-transformers, the reference). Usage:
  measure.py REPO ROUNDS SPECS_JSON   (SPECS_JSON: [{"name", "cmd", "port"}], the first the reference)
Each round runs every engine once, in order, so a disturbed moment hits one sample, not one engine."""
import glob, json, os, re, subprocess, sys, time, urllib.request
import numpy as np

root, rounds = sys.argv[1], int(sys.argv[2])
texts = []
for path in sorted(glob.glob(os.path.join(root, "docs", "*.md"))):
    for para in open(path, encoding="utf-8").read().split("\n\n"):
        para = " ".join(para.split())
        if 40 <= len(para) <= 600:
            texts.append(para)
texts = texts[:320]
print(f"{len(texts)} texts, mean {sum(map(len, texts)) / len(texts):.0f} chars", flush=True)

def post(port, batch):
    body = json.dumps({"input": batch, "model": "m"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/embeddings", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        data = json.load(r)["data"]
    return [d["embedding"] for d in sorted(data, key=lambda d: d["index"])]

def wait(port, proc):
    for _ in range(600):
        if proc.poll() is not None: raise SystemExit(f"server exited {proc.returncode}")
        try:
            post(port, ["warm-up"]); return
        except Exception: time.sleep(0.2)
    raise SystemExit("server never answered")

def rss_tree(pid):
    total = 0
    pids = [pid]
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    pids += [int(p) for p in out]
    for p in pids:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"): total += int(line.split()[1]) * 1024
        except FileNotFoundError: pass
    return total

def run(name, cmd, port, env=None):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    try:
        t0 = time.time(); wait(port, proc); load = time.time() - t0
        vecs = []
        t0 = time.time()
        for i in range(0, len(texts), 10): vecs += post(port, texts[i:i + 10])
        elapsed = time.time() - t0
        rss = rss_tree(proc.pid)
        return np.array(vecs, dtype=np.float64), len(texts) / elapsed, rss, load
    finally:
        proc.terminate(); proc.wait()

specs = json.loads(sys.argv[3])
samples = {spec["name"]: [] for spec in specs}
vectors = {}
for _ in range(rounds):
    for spec in specs:
        vecs, rate, rss, load = run(spec["name"], spec["cmd"], spec["port"], spec.get("env"))
        vectors[spec["name"]] = vecs
        samples[spec["name"]].append((rate, rss, load))
        print(f"  {spec['name']}: {rate:.1f} embeddings/s, RSS {rss / 2**20:.0f} MiB, first answer after {load:.1f} s", flush=True)

ref = vectors[specs[0]["name"]]
reference_rate = sorted(s[0] for s in samples[specs[0]["name"]])[rounds // 2]
for spec in specs:
    name = spec["name"]
    vecs = vectors[name]
    a = ref / np.linalg.norm(ref, axis=1, keepdims=True); b = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
    cos = (a * b).sum(axis=1)
    rate = sorted(s[0] for s in samples[name])[rounds // 2]
    print(json.dumps({"engine": name, "embeddings_per_second": round(rate, 1), "ratio": round(rate / reference_rate, 2),
                      "rss_mib": round(max(s[1] for s in samples[name]) / 2**20),
                      "ready_seconds": round(sorted(s[2] for s in samples[name])[rounds // 2], 1),
                      "cosine_min": round(float(cos.min()), 6), "cosine_mean": round(float(cos.mean()), 6)}))
