#!/usr/bin/python3
"""check_schema.py SCHEMA [FILE]: validates the JSON document in FILE (default stdin) against
docs/schemas/SCHEMA.schema.json (JSON Schema 2020-12); one line naming the first error and exit 1 when it does not
match. Uses Debian's python3-jsonschema (/usr/bin/python3)."""
import json
import os
import sys

import jsonschema

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
schema = json.load(open(os.path.join(root, "docs", "schemas", sys.argv[1] + ".schema.json")))
doc = json.load(open(sys.argv[2]) if len(sys.argv) > 2 else sys.stdin)
errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path))
if errors:
    e = errors[0]
    print(f"{sys.argv[1]}: /{'/'.join(str(p) for p in e.path)}: {e.message}", file=sys.stderr)
    sys.exit(1)
