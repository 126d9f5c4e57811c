"""Serve a built site with gzip, as GitHub Pages does (for measurements only, not for tests).

Usage: python scripts/serve_gzip.py SITE_DIR [PORT]    (default port 8000; 127.0.0.1 only)

Text responses (HTML, CSS, JS, SVG, JSON, XML) are gzipped when the client accepts it;
fonts and images are sent as they are. Python's http.server sends no cache headers, so a
measurement run is a cold load, like a first visit.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import sys

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")
        ctype = self.guess_type(path)
        if ("gzip" not in self.headers.get("Accept-Encoding", "") or not ctype.startswith(COMPRESSIBLE)
                or not os.path.isfile(path)):
            return super().send_head()  # redirects, 404s, fonts and images
        with open(path, "rb") as f:
            body = gzip.compress(f.read(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        return io.BytesIO(body)

def serve(site: str, port: int = 8000) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(GzipHandler, directory=site)
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__.splitlines()[2])
    httpd = serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 8000)
    print(f"serving {sys.argv[1]} with gzip on http://127.0.0.1:{httpd.server_port}/")
    httpd.serve_forever()
