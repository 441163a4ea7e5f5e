#!/usr/bin/python3
"""suite-schema-test.py SCHEMA FILE...: test files (YAML or JSON) validate
against schemas/test.schema.json, or fail to when named '*bad*'."""
import json
import sys

import jsonschema
import yaml

validator = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
passed = failed = 0
for path in sys.argv[2:]:
    doc = yaml.safe_load(open(path))
    errors = list(validator.iter_errors(doc))
    want_bad = "bad" in path.rsplit("/", 1)[-1]
    if bool(errors) != want_bad:
        failed += 1
        print(f"{path}: " + (errors[0].message if errors else "validates, want it refused"))
    else:
        passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
