# SPDX-License-Identifier: MIT
"""Checks JSON documents against a JSON Schema (python3-jsonschema).

    python3 json-valid.py SCHEMA FILE...    ("-" reads standard input)

Prints one line per invalid document (file, where, what) and exits 1 if
any; 0 when all are valid.  Python's json module rejects what is not
strict JSON (invalid UTF-8, NaN, bare control characters)."""
import json
import sys

import jsonschema


def load(path):
    if path == "-":
        return json.loads(sys.stdin.buffer.read().decode("utf-8"))
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def main():
    schema = load(sys.argv[1])
    validator = jsonschema.Draft7Validator(schema)
    bad = 0
    for path in sys.argv[2:]:
        try:
            doc = load(path)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            print(f"{path}: not JSON: {e}")
            bad += 1
            continue
        for err in validator.iter_errors(doc):
            where = "/".join(str(p) for p in err.absolute_path)
            print(f"{path}: /{where}: {err.message}")
            bad += 1
            break
    return 1 if bad else 0


sys.exit(main())
