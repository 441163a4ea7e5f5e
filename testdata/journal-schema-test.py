#!/usr/bin/python3
"""journal-schema-test.py SCHEMA JOURNAL...: every line of every journal
(torn last lines aside) validates against the journal schema."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(schema)
passed = failed = 0
for path in sys.argv[2:]:
    with open(path) as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines[:-1], 1):  # the part after the last newline is torn
        errors = list(validator.iter_errors(json.loads(line)))
        if errors:
            failed += 1
            print(f"{path}:{n}: {errors[0].message}")
        else:
            passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
