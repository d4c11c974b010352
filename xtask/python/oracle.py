"""The reference side of `cargo xtask oracle`: the requests Google's own
Python client (google-api-python-client, `build_from_document`) builds for
the calls it is given. Nothing is sent: every request is only built.

Input (standard input): {"document": PATH, "calls": [CALL, ...]} where CALL
is {"id": METHOD_ID, "params": {WIRE_NAME: VALUE}, "body": JSON or null,
"media": {"file": PATH, "mime": TYPE} or null, "download": BOOL}.
Output (standard output): one JSON list, per call either {"method", "url",
"body", "content_type"} or {"error": TEXT}.
"""

import json
import sys

from googleapiclient.discovery import build_from_document, fix_method_name, key2param
from googleapiclient.http import HttpMock, MediaFileUpload


def methods_by_id(document):
    """Each method id -> (resource names from the top, method name)."""
    found = {}

    def walk(node, path):
        for name, method in (node.get("methods") or {}).items():
            found[method.get("id")] = (path, name)
        for name, resource in (node.get("resources") or {}).items():
            walk(resource, path + [name])

    walk(document, [])
    return found


def build(service, where, call):
    path, name = where
    target = service
    for resource in path:
        target = getattr(target, fix_method_name(resource))()
    method_name = fix_method_name(name) + ("_media" if call.get("download") else "")
    method = getattr(target, method_name)
    kwargs = {key2param(key): value for key, value in call["params"].items()}
    if call.get("body") is not None:
        kwargs["body"] = call["body"]
    media = call.get("media")
    if media:
        kwargs["media_body"] = MediaFileUpload(media["file"], mimetype=media["mime"], resumable=False)
    request = method(**kwargs)
    body = request.body
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            body = None
    return {
        "method": request.method,
        "url": request.uri,
        "body": body,
        "content_type": request.headers.get("content-type"),
    }


def main():
    job = json.load(sys.stdin)
    with open(job["document"], encoding="utf-8") as f:
        text = f.read()
    document = json.loads(text)
    service = build_from_document(text, http=HttpMock(None, {"status": "200"}))
    where = methods_by_id(document)
    out = []
    for call in job["calls"]:
        try:
            out.append(build(service, where[call["id"]], call))
        except Exception as e:  # every refusal is an answer to compare
            out.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
