#!/usr/bin/env python3
"""Writes schemas/asl.schema.json: a JSON Schema of ASL for editors
(completion, hover, basic checks). The fields per state type follow the
linter's table (lib/lint/lint.c sfn_lint_state_fields[]); unit.lint fails
when the two disagree. sfn validate checks far more than a schema can
(graph, paths, JSONata, variables): the schema is for typing, not a judge.

Usage: testdata/lint/gen-asl-schema.py > schemas/asl.schema.json
"""
import json
import sys

TYPES = ["Task", "Parallel", "Map", "Pass", "Wait", "Choice", "Succeed", "Fail"]
FLOW = {"Task", "Parallel", "Map", "Pass", "Wait"}
RETRY = {"Task", "Parallel", "Map"}
ALL = set(TYPES)

S = {"type": "string"}
INT = {"type": "integer"}
JSONATA = {"type": "string", "pattern": "^\\{%[\\s\\S]*%\\}$", "description": "a JSONata expression: {% ... %}"}
PATH = {"type": "string", "pattern": "^\\$", "description": "a JSONPath"}
NPATH = {"type": ["string", "null"], "description": "a JSONPath, or null"}
TEMPLATE = {"type": "object", "description": "a payload template: keys ending in '.$' take a path or an intrinsic call"}


def either(*alts):
    return {"anyOf": list(alts)}


def int_range(lo, hi):
    return {"type": "integer", "minimum": lo, "maximum": hi}


# name -> (types, description, schema); order as in lib/lint/lint.c.
FIELDS = [
    ("Type", ALL, "the state type", {"enum": TYPES}),
    ("Comment", ALL, "a human-readable description", S),
    ("QueryLanguage", ALL, "JSONPath or JSONata (a state may only upgrade to JSONata)",
     {"enum": ["JSONPath", "JSONata"]}),
    ("Next", FLOW, "the state to run next", S),
    ("End", FLOW, "true ends the execution (or branch/iteration)", {"type": "boolean"}),
    ("InputPath", ALL - {"Fail"}, "JSONPath: selects the state's input", NPATH),
    ("OutputPath", ALL - {"Fail"}, "JSONPath: selects the state's output", NPATH),
    ("Output", ALL - {"Fail"}, "JSONata: the state's output", {}),
    ("Assign", ALL - {"Succeed", "Fail"}, "variables to set when the state ends", {"type": "object"}),
    ("Parameters", {"Task", "Parallel", "Map", "Pass"}, "JSONPath: payload template for the input", TEMPLATE),
    ("Arguments", {"Task", "Parallel"}, "JSONata: the task's or branches' input", either({"type": "object"}, JSONATA)),
    ("ResultSelector", RETRY, "JSONPath: payload template applied to the result", TEMPLATE),
    ("ResultPath", RETRY | {"Pass"}, "JSONPath: where the result goes in the input (reference path)", NPATH),
    ("Retry", RETRY, "retriers, tried in order", {"type": "array", "items": {"$ref": "#/definitions/retrier"}}),
    ("Catch", RETRY, "catchers, tried in order", {"type": "array", "items": {"$ref": "#/definitions/catcher"}}),
    ("Result", {"Pass"}, "JSONPath: the Pass state's fixed result (never evaluated)", {}),
    ("Resource", {"Task"}, "the ARN of the integration, Lambda function or activity", S),
    ("TimeoutSeconds", {"Task"}, "task timeout, 1..99999999", either(int_range(1, 99999999), JSONATA)),
    ("TimeoutSecondsPath", {"Task"}, "JSONPath: reference path to the timeout", PATH),
    ("HeartbeatSeconds", {"Task"}, "heartbeat timeout, smaller than TimeoutSeconds",
     either(int_range(1, 99999999), JSONATA)),
    ("HeartbeatSecondsPath", {"Task"}, "JSONPath: reference path to the heartbeat", PATH),
    ("Credentials", {"Task"}, "role to assume: {RoleArn}", {"type": "object"}),
    ("Choices", {"Choice"}, "choice rules, first match wins", {"type": "array", "minItems": 1,
                                                               "items": {"$ref": "#/definitions/choiceRule"}}),
    ("Default", {"Choice"}, "state to go to when no rule matches", S),
    ("Seconds", {"Wait"}, "seconds to wait", either(int_range(0, 99999999), JSONATA)),
    ("SecondsPath", {"Wait"}, "JSONPath: reference path to the seconds", PATH),
    ("Timestamp", {"Wait"}, "RFC 3339 time to wait until", S),
    ("TimestampPath", {"Wait"}, "JSONPath: reference path to the timestamp", PATH),
    ("Error", {"Fail"}, "the error name", S),
    ("ErrorPath", {"Fail"}, "JSONPath: reference path or intrinsic giving the error", S),
    ("Cause", {"Fail"}, "the cause", S),
    ("CausePath", {"Fail"}, "JSONPath: reference path or intrinsic giving the cause", S),
    ("Branches", {"Parallel"}, "the branches, each a state machine", {"type": "array", "minItems": 1,
                                                                     "items": {"$ref": "#/definitions/branch"}}),
    ("ItemProcessor", {"Map"}, "the state machine run for each item", {"$ref": "#/definitions/processor"}),
    ("Iterator", {"Map"}, "deprecated name of ItemProcessor", {"$ref": "#/definitions/processor"}),
    ("ItemsPath", {"Map"}, "JSONPath: reference path to the items", PATH),
    ("Items", {"Map"}, "JSONata: the items", either({"type": "array"}, JSONATA)),
    ("ItemSelector", {"Map"}, "the input of each iteration", {}),
    ("MaxConcurrency", {"Map"}, "iterations at a time, 0 = no limit", either(int_range(0, 2147483647), JSONATA)),
    ("MaxConcurrencyPath", {"Map"}, "JSONPath: reference path to MaxConcurrency", PATH),
    ("ToleratedFailurePercentage", {"Map"}, "0..100", either({"type": "number", "minimum": 0, "maximum": 100},
                                                              JSONATA)),
    ("ToleratedFailurePercentagePath", {"Map"}, "JSONPath: reference path", PATH),
    ("ToleratedFailureCount", {"Map"}, ">= 0", either(int_range(0, 2147483647), JSONATA)),
    ("ToleratedFailureCountPath", {"Map"}, "JSONPath: reference path", PATH),
    ("ItemReader", {"Map"}, "Distributed Map: where the items come from", {"type": "object"}),
    ("ItemBatcher", {"Map"}, "Distributed Map: batching of items", {"type": "object"}),
    ("ResultWriter", {"Map"}, "Distributed Map: where results go", {"type": "object"}),
    ("Label", {"Map"}, "Distributed Map: map run label, <= 40 characters", {"type": "string", "maxLength": 40}),
]

REQUIRED = {"Task": ["Type", "Resource"], "Choice": ["Type", "Choices"], "Parallel": ["Type", "Branches"]}

OPERATORS = []
for base, t in [("String", S), ("Numeric", {"type": "number"}), ("Boolean", {"type": "boolean"}),
                ("Timestamp", S)]:
    ops = ["Equals"] if base == "Boolean" else ["Equals", "LessThan", "GreaterThan", "LessThanEquals",
                                                "GreaterThanEquals"]
    for op in ops:
        OPERATORS.append((base + op, t))
        OPERATORS.append((base + op + "Path", PATH))
OPERATORS.append(("StringMatches", S))
for op in ["IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"]:
    OPERATORS.append((op, {"type": "boolean"}))


def state_def(t):
    props = {}
    for name, types, desc, schema in FIELDS:
        if t in types:
            props[name] = dict(schema, description=desc) if schema else {"description": desc}
    props["Type"] = {"const": t, "description": "the state type"}
    return {"type": "object", "required": REQUIRED.get(t, ["Type"]), "properties": props,
            "additionalProperties": False}


def machine(extra):
    props = {"StartAt": dict(S, description="the first state"),
             "States": {"$ref": "#/definitions/states"},
             "Comment": S}
    props.update(extra)
    return {"type": "object", "required": ["StartAt", "States"], "properties": props,
            "additionalProperties": False}


def main():
    rule_props = {"Variable": dict(PATH, description="JSONPath: the value to test"),
                  "Next": S, "Comment": S, "Assign": {"type": "object"},
                  "And": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/choiceRule"}},
                  "Or": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/choiceRule"}},
                  "Not": {"$ref": "#/definitions/choiceRule"},
                  "Condition": either({"type": "boolean"}, JSONATA), "Output": {}}
    for name, schema in OPERATORS:
        rule_props[name] = schema
    schema = machine({"Version": {"enum": ["1.0"]}, "TimeoutSeconds": int_range(1, 99999999),
                      "QueryLanguage": {"enum": ["JSONPath", "JSONata"]}})
    schema = dict({"$schema": "http://json-schema.org/draft-07/schema#",
                   "$id": "https://github.com/sfn/sfn/schemas/asl.schema.json",
                   "title": "Amazon States Language definition",
                   "description": "Generated by testdata/lint/gen-asl-schema.py from the fields sfn validate "
                                  "accepts per state type; run sfn validate for the full checks."},
                  **schema)
    schema["definitions"] = {
        "states": {"type": "object", "minProperties": 1,
                   "propertyNames": {"minLength": 1, "maxLength": 80},
                   "additionalProperties": {"$ref": "#/definitions/state"}},
        "state": {"type": "object", "required": ["Type"],
                  "properties": {"Type": {"enum": TYPES}},
                  "allOf": [{"if": {"properties": {"Type": {"const": t}}},
                             "then": {"$ref": "#/definitions/" + t}} for t in TYPES]},
        "branch": machine({"QueryLanguage": {"enum": ["JSONPath", "JSONata"]}}),
        "processor": machine({"ProcessorConfig": {
            "type": "object", "additionalProperties": False,
            "properties": {"Mode": {"enum": ["INLINE", "DISTRIBUTED"]},
                           "ExecutionType": {"enum": ["STANDARD", "EXPRESS"]}}}}),
        "errorEquals": {"type": "array", "minItems": 1, "items": S},
        "retrier": {"type": "object", "required": ["ErrorEquals"], "additionalProperties": False,
                    "properties": {"ErrorEquals": {"$ref": "#/definitions/errorEquals"},
                                   "IntervalSeconds": int_range(1, 99999999),
                                   "MaxAttempts": int_range(0, 99999999),
                                   "BackoffRate": {"type": "number", "minimum": 1},
                                   "MaxDelaySeconds": int_range(1, 31622400),
                                   "JitterStrategy": {"enum": ["FULL", "NONE"]},
                                   "Comment": S}},
        "catcher": {"type": "object", "required": ["ErrorEquals", "Next"], "additionalProperties": False,
                    "properties": {"ErrorEquals": {"$ref": "#/definitions/errorEquals"}, "Next": S,
                                   "ResultPath": NPATH, "Output": {}, "Assign": {"type": "object"},
                                   "Comment": S}},
        "choiceRule": {"type": "object", "properties": rule_props, "additionalProperties": False},
    }
    for t in TYPES:
        schema["definitions"][t] = state_def(t)
    json.dump(schema, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
