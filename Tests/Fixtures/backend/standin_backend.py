"""A stand-in for the Synapse backend (its Node code is not available here), configured by exactly
the guide's keys and calling the servers exactly as the guide's backend does: OpenAI-style requests
at ENDPOINT + '/v1' with 'Bearer not-needed', documents and their embeddings in pgvector.

GET /health: 200 once the documents are stored. POST /ask {"question": "..."}: embeds the question,
retrieves the nearest documents, asks the llm with them, answers {"answer", "sources"}.
Python's standard library only; SQL through psql and DATABASE_URL.
"""
import json, os, shutil, subprocess, sys, threading, urllib.parse, urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENV = {key: os.environ[key] for key in (
    "DATABASE_URL", "LOCAL_LLM_ENDPOINT", "LOCAL_LLM_MODEL", "LOCAL_LLM_TIMEOUT", "LOCAL_EMBEDDING_ENDPOINT",
    "LOCAL_EMBEDDING_MODEL", "LOCAL_EMBEDDING_DIMENSIONS")}
PSQL = shutil.which("psql") or sys.exit("standin backend: psql is not on PATH")
DOCUMENTS = [
    "Synapse keeps documents in PostgreSQL with the pgvector extension.",
    "The capital of France is Paris.",
    "llama.cpp serves GGUF models over an OpenAI-compatible HTTP API.",
]
ready = threading.Event()


def call(endpoint, path, body, timeout):
    request = urllib.request.Request(endpoint + "/v1" + path, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Authorization": "Bearer not-needed"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def embed(texts):
    answer = call(ENV["LOCAL_EMBEDDING_ENDPOINT"], "/embeddings", {"model": ENV["LOCAL_EMBEDDING_MODEL"], "input": texts}, 60)
    vectors = [item["embedding"] for item in sorted(answer["data"], key=lambda d: d["index"])]
    assert all(len(v) == int(ENV["LOCAL_EMBEDDING_DIMENSIONS"]) for v in vectors), "wrong embedding size"
    return vectors


def sql(statement):
    # The password goes through the environment, not the command line other users can read.
    url = urllib.parse.urlsplit(ENV["DATABASE_URL"])
    bare = url._replace(netloc=f"{url.username}@{url.hostname}:{url.port}").geturl()
    result = subprocess.run([PSQL, bare, "-v", "ON_ERROR_STOP=1", "-tAc", statement], capture_output=True, text=True,
                            timeout=30, env={**os.environ, "PGPASSWORD": urllib.parse.unquote(url.password or "")})
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip())
    return result.stdout.strip()


def vector(values):
    return "'[" + ",".join(f"{v:.6f}" for v in values) + "]'"


def prepare():
    dims = int(ENV["LOCAL_EMBEDDING_DIMENSIONS"])
    sql(f"CREATE TABLE IF NOT EXISTS standin_docs (id serial PRIMARY KEY, body text UNIQUE, embedding vector({dims}))")
    for body, values in zip(DOCUMENTS, embed(DOCUMENTS)):
        escaped = body.replace("'", "''")
        sql(f"INSERT INTO standin_docs (body, embedding) VALUES ('{escaped}', {vector(values)}) ON CONFLICT (body) DO NOTHING")
    ready.set()


def ask(question):
    nearest = sql(f"SELECT body FROM standin_docs ORDER BY embedding <-> {vector(embed([question])[0])} LIMIT 2").split("\n")
    messages = [
        {"role": "system", "content": "Answer briefly from the context.\nContext:\n" + "\n".join(nearest)},
        {"role": "user", "content": question},
    ]
    answer = call(ENV["LOCAL_LLM_ENDPOINT"], "/chat/completions", {
        "model": ENV["LOCAL_LLM_MODEL"], "messages": messages, "max_tokens": 24, "temperature": 0},
        int(ENV["LOCAL_LLM_TIMEOUT"]) / 1000)
    return {"answer": answer["choices"][0]["message"]["content"], "model": answer.get("model"), "sources": nearest}


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self.reply(200 if ready.is_set() else 503, {"status": "ok" if ready.is_set() else "starting"})
        self.reply(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/ask":
            return self.reply(404, {"error": "not found"})
        try:
            question = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))["question"]
            self.reply(200, ask(question))
        except Exception as error:  # the test reads the message
            self.reply(500, {"error": str(error)})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer((os.environ.get("HOST", "127.0.0.1"), int(os.environ["PORT"])), Handler)
    print(f"standin backend on {server.server_address}, pid {os.getpid()}", flush=True)
    threading.Thread(target=prepare, daemon=True).start()
    server.serve_forever()
