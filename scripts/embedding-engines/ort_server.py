import json, os, sys, numpy as np, onnxruntime as ort
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
from tokenizers import Tokenizer
model_dir, onnx_path, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
tok.enable_truncation(256); tok.enable_padding()
opts = ort.SessionOptions(); opts.intra_op_num_threads = os.cpu_count()
sess = ort.InferenceSession(onnx_path, opts, providers=["CPUExecutionProvider"])
def embed(texts):
    enc = tok.encode_batch(texts)
    ids = np.array([e.ids for e in enc], dtype=np.int64); mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
    out = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
    m = mask[..., None].astype(np.float32); v = (out * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
    return v / np.linalg.norm(v, axis=1, keepdims=True)
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        inp = body["input"]; inp = [inp] if isinstance(inp, str) else inp
        data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(embed(inp))]
        out = json.dumps({"object": "list", "data": data}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json"); self.send_header("Content-Length", str(len(out))); self.end_headers(); self.wfile.write(out)
ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
