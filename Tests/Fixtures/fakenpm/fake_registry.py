"""A stand-in for the npm registry on loopback, following its protocol as npm uses it: GET /NAME
answers the packument (every version's package.json with `dist.tarball` and `dist.integrity`, the
tarball's sha512 in Subresource Integrity form, and `dist.shasum`), GET /NAME/-/NAME-VERSION.tgz the
tarball. The tarballs are packed at start from --root's folders (NAME-VERSION/, files under
`package/` as `npm pack` writes them), with fixed times so their digests never change. Every
request is logged to --log as a JSON line."""
import argparse, base64, gzip, hashlib, http.server, io, json, os, tarfile

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--root", required=True)
parser.add_argument("--log", required=True)
options = parser.parse_args()

packages = {}
for folder in sorted(os.listdir(options.root)):
    path = os.path.join(options.root, folder)
    manifest = json.load(open(os.path.join(path, "package.json")))
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(os.listdir(path)):
            data = open(os.path.join(path, name), "rb").read()
            info = tarfile.TarInfo("package/" + name)
            info.size, info.mode, info.mtime = len(data), 0o644, 499162500
            tar.addfile(info, io.BytesIO(data))
    tarball = gzip.compress(raw.getvalue(), mtime=0)
    file = "%s-%s.tgz" % (manifest["name"], manifest["version"])
    packages.setdefault(manifest["name"], []).append((manifest, file, tarball))


class Handler(http.server.BaseHTTPRequestHandler):
    def send(self, status, body, kind):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(options.log, "a") as log:
            log.write(json.dumps({"method": "GET", "path": self.path}) + "\n")
        path = self.path.split("?")[0].lstrip("/").replace("%2f", "/").replace("%2F", "/")
        host = "http://" + self.headers["Host"]
        for name, versions in packages.items():
            if path == name:
                body = {"name": name, "versions": {}}
                for manifest, file, tarball in versions:
                    version = dict(manifest)
                    version["dist"] = {
                        "tarball": host + "/" + name + "/-/" + file,
                        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode(),
                        "shasum": hashlib.sha1(tarball).hexdigest(),
                    }
                    body["versions"][manifest["version"]] = version
                body["dist-tags"] = {"latest": versions[-1][0]["version"]}
                return self.send(200, json.dumps(body).encode(), "application/json")
            for manifest, file, tarball in versions:
                if path == name + "/-/" + file:
                    return self.send(200, tarball, "application/octet-stream")
        self.send(404, b'{"error": "not found"}', "application/json")

    def log_message(self, *arguments):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", options.port), Handler).serve_forever()
