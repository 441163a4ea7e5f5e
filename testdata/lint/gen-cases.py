#!/usr/bin/env python3
"""Writes the golden cases of `sfn validate` (testdata/cli/validate/<case>/).

Each rule of the linter gets a failing definition and its corrected twin:
case <rule> (exit 1 with the exact diagnostic) and <rule>-fixed (exit 0). A
few rules are also written in YAML (<rule>-yaml), and the CLI cases (formats,
options, usage errors) follow. After running this, fill in the expectations
with `SFN_UPDATE_GOLDEN=1 ctest -R cli.validate` and review every one.

Usage: testdata/lint/gen-cases.py [--only NAME...]
"""
import copy
import json
import os
import shutil
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "cli", "validate")
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:work"
INVOKE = "arn:aws:states:::lambda:invoke"


def machine(states, start=None, **top):
    d = {"StartAt": start or next(iter(states)), "States": states}
    d.update(top)
    return d


def task(**kw):
    st = {"Type": "Task", "Resource": LAMBDA}
    st.update(kw)
    if "Next" not in kw and "End" not in kw:
        st["End"] = True
    return st


def pass_(**kw):
    st = {"Type": "Pass"}
    st.update(kw)
    if "Next" not in kw and "End" not in kw:
        st["End"] = True
    return st


def jsonata(states, **top):
    return machine(states, QueryLanguage="JSONata", **top)


def branch(states):
    return {"StartAt": next(iter(states)), "States": states}


def mp(states, **kw):
    st = {"Type": "Map", "ItemProcessor": branch(states), "End": True}
    st.update(kw)
    return st


def choice(choices, default="Done", **kw):
    st = {"Type": "Choice", "Choices": choices}
    if default:
        st["Default"] = default
    st.update(kw)
    return st


DONE = {"Type": "Succeed"}

# (name, bad definition, fixed definition[, extra args])
RULES = [
    # ---- structure of the machine ----
    ("root-required", {"States": {"A": pass_()}}, machine({"A": pass_()})),
    ("root-states-required", {"StartAt": "A"}, machine({"A": pass_()})),
    ("root-unknown-field", machine({"A": pass_()}, Start="A"), machine({"A": pass_()})),
    ("root-version", machine({"A": pass_()}, Version="2.0"), machine({"A": pass_()}, Version="1.0")),
    ("root-timeout-range", machine({"A": pass_()}, TimeoutSeconds=0),
     machine({"A": pass_()}, TimeoutSeconds=60)),
    ("root-query-language", machine({"A": pass_()}, QueryLanguage="JSONpath"),
     machine({"A": pass_()}, QueryLanguage="JSONPath")),
    ("root-not-object", [1, 2], machine({"A": pass_()})),
    ("startat-missing", machine({"Start": pass_()}, start="Strat"), machine({"Start": pass_()})),
    ("startat-not-string", machine({"A": pass_()}, start=1), machine({"A": pass_()})),
    ("next-missing", machine({"Start": pass_(Next="Pya"), "Pay": task()}),
     machine({"Start": pass_(Next="Pay"), "Pay": task()})),
    ("next-missing-no-hint", machine({"Start": pass_(Next="Elsewhere"), "Pay": task()}),
     machine({"Start": pass_(Next="Pay"), "Pay": task()})),
    ("unreachable", machine({"A": pass_(), "Orphan": pass_()}), machine({"A": pass_(Next="B"), "B": pass_()})),
    ("no-terminal", machine({"A": pass_(Next="B"), "B": pass_(Next="A")}),
     machine({"A": pass_(Next="B"), "B": pass_()})),
    ("type-missing", machine({"A": {"End": True}}), machine({"A": pass_()})),
    ("type-invalid", machine({"A": {"Type": "Passs", "End": True}}), machine({"A": pass_()})),
    ("state-not-object", machine({"A": "Pass"}), machine({"A": pass_()})),
    ("unknown-field", machine({"A": pass_(Nxt="B", Next="B"), "B": pass_()}),
     machine({"A": pass_(Next="B"), "B": pass_()})),
    ("next-and-end", machine({"A": pass_(Next="B", End=True), "B": pass_()}),
     machine({"A": pass_(Next="B"), "B": pass_()})),
    ("no-next-no-end", machine({"A": {"Type": "Pass"}}), machine({"A": pass_()})),
    ("end-false", machine({"A": {"Type": "Pass", "End": False}}), machine({"A": pass_()})),
    ("end-not-bool", machine({"A": {"Type": "Pass", "End": "true"}}), machine({"A": pass_()})),
    ("next-not-string", machine({"A": pass_(Next=["B"]), "B": pass_()}),
     machine({"A": pass_(Next="B"), "B": pass_()})),
    ("choice-with-next", machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}],
                                              Next="Done"), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}]), "Done": DONE})),
    ("succeed-with-end", machine({"A": {"Type": "Succeed", "End": True}}), machine({"A": DONE})),
    ("fail-with-next", machine({"A": pass_(Next="F"), "F": {"Type": "Fail", "Next": "A"}}),
     machine({"A": pass_(Next="F"), "F": {"Type": "Fail"}})),
    ("fail-inputpath", machine({"F": {"Type": "Fail", "InputPath": "$.x"}}), machine({"F": {"Type": "Fail"}})),
    ("pass-timeout", machine({"A": pass_(TimeoutSeconds=5)}), machine({"A": task(TimeoutSeconds=5)})),
    ("pass-retry", machine({"A": pass_(Retry=[{"ErrorEquals": ["States.ALL"]}])}),
     machine({"A": task(Retry=[{"ErrorEquals": ["States.ALL"]}])})),
    ("duplicate-state-name", machine({"P": {"Type": "Parallel", "Branches": [branch({"P": pass_()})], "End": True}}),
     machine({"P": {"Type": "Parallel", "Branches": [branch({"P1": pass_()})], "End": True}})),
    ("state-name-too-long", machine({"S" * 81: pass_()}), machine({"S" * 80: pass_()})),
    ("comment-type", machine({"A": pass_(Comment=5)}), machine({"A": pass_(Comment="five")})),
    # ---- query languages ----
    ("jsonpath-field-in-jsonata", jsonata({"A": pass_(InputPath="$.x")}),
     jsonata({"A": pass_(Output="{% $states.input.x %}")})),
    ("jsonata-field-in-jsonpath", machine({"A": pass_(Output={"x": 1})}), machine({"A": pass_(Result={"x": 1})})),
    ("jsonpath-under-jsonata-root", jsonata({"A": pass_(QueryLanguage="JSONPath")}),
     machine({"A": pass_(QueryLanguage="JSONata")})),
    ("itemprocessor-query-language",
     machine({"M": mp({"I": pass_()}, ItemProcessor=dict(branch({"I": pass_()}), QueryLanguage="JSONata"))}),
     machine({"M": mp({"I": pass_(QueryLanguage="JSONata")})})),
    ("state-query-language-enum", machine({"A": pass_(QueryLanguage="jsonata")}),
     machine({"A": pass_(QueryLanguage="JSONata")})),
    # ---- Task ----
    ("task-no-resource", machine({"T": {"Type": "Task", "End": True}}), machine({"T": task()})),
    ("resource-not-recognized", machine({"T": task(Resource="arn:aws:states:::dynamodb:query",
                                                   Parameters={"TableName": "t"})}),
     machine({"T": task(Resource="arn:aws:states:::aws-sdk:dynamodb:query", Parameters={"TableName": "t"})})),
    ("resource-not-arn", machine({"T": task(Resource="work")}), machine({"T": task()})),
    ("resource-bad-suffix", machine({"T": task(Resource="arn:aws:states:::states:startExecution.async",
                                               Parameters={"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"})}),
     machine({"T": task(Resource="arn:aws:states:::states:startExecution.sync:2",
                        Parameters={"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"})})),
    ("unknown-integration", machine({"T": task(Resource="arn:aws:states:::foo:doIt")}),
     machine({"T": task(Resource="arn:aws:states:::aws-sdk:foo:doIt")})),
    ("timeout-range", machine({"T": task(TimeoutSeconds=0)}), machine({"T": task(TimeoutSeconds=30)})),
    ("timeout-type", machine({"T": task(TimeoutSeconds="30")}), machine({"T": task(TimeoutSeconds=30)})),
    ("heartbeat-not-smaller", machine({"T": task(TimeoutSeconds=30, HeartbeatSeconds=60)}),
     machine({"T": task(TimeoutSeconds=30, HeartbeatSeconds=10)})),
    ("timeout-exclusive", machine({"T": task(TimeoutSeconds=30, TimeoutSecondsPath="$.t")}),
     machine({"T": task(TimeoutSecondsPath="$.t")})),
    ("timeoutpath-not-reference", machine({"T": task(TimeoutSecondsPath="$.t[*]")}),
     machine({"T": task(TimeoutSecondsPath="$.t[0]")})),
    ("credentials-rolearn", machine({"T": task(Credentials={})}),
     machine({"T": task(Credentials={"RoleArn": "arn:aws:iam::123456789012:role/r"})})),
    ("lambda-function-name", machine({"T": task(Resource=INVOKE, Parameters={"Payload.$": "$"})}),
     machine({"T": task(Resource=INVOKE, Parameters={"FunctionName": LAMBDA, "Payload.$": "$"})})),
    ("http-required", machine({"T": task(Resource="arn:aws:states:::http:invoke",
                                         Parameters={"ApiEndpoint": "https://api.example.com/v1"})}),
     machine({"T": task(Resource="arn:aws:states:::http:invoke",
                        Parameters={"ApiEndpoint": "https://api.example.com/v1", "Method": "GET",
                                    "InvocationConfig": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}})})),
    ("http-method", machine({"T": task(Resource="arn:aws:states:::http:invoke",
                                       Parameters={"ApiEndpoint": "https://api.example.com", "Method": "FETCH",
                                                   "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}})}),
     machine({"T": task(Resource="arn:aws:states:::http:invoke",
                        Parameters={"ApiEndpoint": "https://api.example.com", "Method": "POST",
                                    "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}})})),
    ("http-not-https", machine({"T": task(Resource="arn:aws:states:::http:invoke",
                                          Parameters={"ApiEndpoint": "http://api.example.com", "Method": "GET",
                                                      "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}})}),
     machine({"T": task(Resource="arn:aws:states:::http:invoke",
                        Parameters={"ApiEndpoint": "https://api.example.com", "Method": "GET",
                                    "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/c/1"}})})),
    ("bedrock-model-id", machine({"T": task(Resource="arn:aws:states:::bedrock:invokeModel",
                                            Parameters={"Body": {"prompt": "hi"}})}),
     machine({"T": task(Resource="arn:aws:states:::bedrock:invokeModel",
                        Parameters={"ModelId": "anthropic.claude-3-haiku-20240307-v1:0", "Body": {"prompt": "hi"}})})),
    ("express-sync", machine({"T": task(Resource="arn:aws:states:::states:startExecution.sync",
                                        Parameters={"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"})}),
     machine({"T": task(Resource="arn:aws:states:::states:startExecution",
                        Parameters={"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"})}),
     ["--type", "express"]),
    ("express-wait-for-task-token", machine({"T": task(Resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                                       Parameters={"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}})}),
     machine({"T": task(Resource="arn:aws:states:::sqs:sendMessage",
                        Parameters={"QueueUrl": "q", "MessageBody": {"t.$": "$$.Execution.Id"}})}),
     ["--type", "express"]),
    ("express-activity", machine({"T": task(Resource="arn:aws:states:us-east-1:123456789012:activity:work")}),
     machine({"T": task()}), ["--type", "express"]),
    # ---- paths ----
    ("inputpath-invalid", machine({"A": pass_(InputPath="$.a[?(")}), machine({"A": pass_(InputPath="$.a")})),
    ("outputpath-no-dollar", machine({"A": pass_(OutputPath="a.b")}), machine({"A": pass_(OutputPath="$.a.b")})),
    ("inputpath-type", machine({"A": pass_(InputPath=5)}), machine({"A": pass_(InputPath=None)})),
    ("resultpath-context", machine({"A": pass_(ResultPath="$$.Execution")}),
     machine({"A": pass_(ResultPath="$.execution")})),
    ("resultpath-variable", machine({"A": pass_(ResultPath="$x")}), machine({"A": pass_(ResultPath="$.x")})),
    ("resultpath-wildcard", machine({"A": pass_(ResultPath="$.a[*]")}), machine({"A": pass_(ResultPath="$.a")})),
    ("itemspath-filter", machine({"M": mp({"I": pass_()}, ItemsPath="$.items[?(@.ok)]")}),
     machine({"M": mp({"I": pass_()}, ItemsPath="$.items")})),
    ("maxconcurrencypath-context", machine({"M": mp({"I": pass_()}, MaxConcurrencyPath="$$.Execution.Input.n")}),
     machine({"M": mp({"I": pass_()}, MaxConcurrencyPath="$.n")})),
    ("parameters-not-object", machine({"A": pass_(Parameters="$.x")}), machine({"A": pass_(Parameters={"x.$": "$.x"})})),
    ("dollar-value-not-path", machine({"A": pass_(Parameters={"x.$": "foo"})}),
     machine({"A": pass_(Parameters={"x.$": "$.foo"})})),
    ("dollar-value-not-string", machine({"A": pass_(Parameters={"x.$": 5})}),
     machine({"A": pass_(Parameters={"x": 5})})),
    ("dollar-value-bad-path", machine({"A": pass_(Parameters={"deep": {"x.$": "$.a["}})}),
     machine({"A": pass_(Parameters={"deep": {"x.$": "$.a[0]"}})})),
    ("intrinsic-unknown", machine({"A": pass_(Parameters={"s.$": "States.Formatt('{}', $.a)"})}),
     machine({"A": pass_(Parameters={"s.$": "States.Format('{}', $.a)"})})),
    ("intrinsic-array-range-step", machine({"A": pass_(Parameters={"r.$": "States.ArrayRange(1, 10, 0)"})}),
     machine({"A": pass_(Parameters={"r.$": "States.ArrayRange(1, 10, 1)"})})),
    ("intrinsic-hash-algorithm", machine({"A": pass_(Parameters={"h.$": "States.Hash($.a, 'MD6')"})}),
     machine({"A": pass_(Parameters={"h.$": "States.Hash($.a, 'SHA-256')"})})),
    ("intrinsic-arity", machine({"A": pass_(Parameters={"n.$": "States.ArrayLength($.a, $.b)"})}),
     machine({"A": pass_(Parameters={"n.$": "States.ArrayLength($.a)"})})),
    ("intrinsic-in-array", machine({"A": pass_(Parameters={"list": [{"x.$": "States.UUID(1)"}]})}),
     machine({"A": pass_(Parameters={"list": [{"x.$": "States.UUID()"}]})})),
    ("parameters-duplicate-key", machine({"A": pass_(Parameters={"a": 1, "a.$": "$.a"})}),
     machine({"A": pass_(Parameters={"a.$": "$.a"})})),
    ("no-dollar", machine({"A": pass_(Parameters={"a": "$.a"})}), machine({"A": pass_(Parameters={"a.$": "$.a"})})),
    ("no-dollar-intrinsic", machine({"A": pass_(Parameters={"id": "States.UUID()"})}),
     machine({"A": pass_(Parameters={"id.$": "States.UUID()"})})),
    ("pass-result-is-static", machine({"A": pass_(Result={"a.$": "$.a"})}),
     machine({"A": pass_(Parameters={"a.$": "$.a"})})),
    ("result-selector-bad", machine({"T": task(ResultSelector={"x.$": "Payload"})}),
     machine({"T": task(ResultSelector={"x.$": "$.Payload"})})),
    # ---- Fail ----
    ("fail-error-exclusive", machine({"F": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}),
     machine({"F": {"Type": "Fail", "ErrorPath": "$.e"}})),
    ("fail-errorpath-intrinsic", machine({"F": {"Type": "Fail", "CausePath": "States.ArrayLength($.a)"}}),
     machine({"F": {"Type": "Fail", "CausePath": "States.Format('{} items', States.ArrayLength($.a))"}})),
    ("fail-no-path", machine({"F": {"Type": "Fail", "Error": "$.error"}}),
     machine({"F": {"Type": "Fail", "ErrorPath": "$.error"}})),
    ("fail-cause-type", machine({"F": {"Type": "Fail", "Cause": {"why": "x"}}}),
     machine({"F": {"Type": "Fail", "Cause": "why: x"}})),
    # ---- Wait ----
    ("wait-none", machine({"W": {"Type": "Wait", "End": True}}), machine({"W": {"Type": "Wait", "Seconds": 1, "End": True}})),
    ("wait-two", machine({"W": {"Type": "Wait", "Seconds": 5, "Timestamp": "2030-01-01T00:00:00Z", "End": True}}),
     machine({"W": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "End": True}})),
    ("wait-timestamp-format", machine({"W": {"Type": "Wait", "Timestamp": "2030-01-01 00:00:00", "End": True}}),
     machine({"W": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "End": True}})),
    ("wait-timestamp-date", machine({"W": {"Type": "Wait", "Timestamp": "2030-02-30T00:00:00Z", "End": True}}),
     machine({"W": {"Type": "Wait", "Timestamp": "2030-02-28T00:00:00+01:00", "End": True}})),
    ("wait-seconds-negative", machine({"W": {"Type": "Wait", "Seconds": -1, "End": True}}),
     machine({"W": {"Type": "Wait", "Seconds": 0, "End": True}})),
    ("wait-secondspath", machine({"W": {"Type": "Wait", "SecondsPath": "$.s..x", "End": True}}),
     machine({"W": {"Type": "Wait", "SecondsPath": "$.s.x", "End": True}})),
    # ---- Choice ----
    ("choice-no-choices", machine({"C": {"Type": "Choice", "Default": "Done"}, "Done": DONE}),
     machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}]), "Done": DONE})),
    ("choice-empty", machine({"C": choice([]), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}]), "Done": DONE})),
    ("choice-rule-no-next", machine({"C": choice([{"Variable": "$.x", "IsPresent": True}]), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}]), "Done": DONE})),
    ("choice-two-operators", machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "IsNull": False,
                                                    "Next": "Done"}]), "Done": DONE}),
     machine({"C": choice([{"And": [{"Variable": "$.x", "IsPresent": True}, {"Variable": "$.x", "IsNull": False}],
                            "Next": "Done"}]), "Done": DONE})),
    ("choice-no-operator", machine({"C": choice([{"Variable": "$.x", "Next": "Done"}]), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}]), "Done": DONE})),
    ("choice-no-variable", machine({"C": choice([{"NumericEquals": 1, "Next": "Done"}]), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.n", "NumericEquals": 1, "Next": "Done"}]), "Done": DONE})),
    ("choice-operand-type", machine({"C": choice([{"Variable": "$.n", "NumericEquals": "5", "Next": "Done"}]),
                                     "Done": DONE}),
     machine({"C": choice([{"Variable": "$.n", "NumericEquals": 5, "Next": "Done"}]), "Done": DONE})),
    ("choice-boolean-type", machine({"C": choice([{"Variable": "$.b", "BooleanEquals": "true", "Next": "Done"}]),
                                     "Done": DONE}),
     machine({"C": choice([{"Variable": "$.b", "BooleanEquals": True, "Next": "Done"}]), "Done": DONE})),
    ("choice-timestamp-literal", machine({"C": choice([{"Variable": "$.t", "TimestampLessThan": "yesterday",
                                                        "Next": "Done"}]), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.t", "TimestampLessThan": "2024-01-01T00:00:00Z", "Next": "Done"}]),
              "Done": DONE})),
    ("choice-string-matches-escape", machine({"C": choice([{"Variable": "$.f", "StringMatches": "log\\.txt",
                                                            "Next": "Done"}]), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.f", "StringMatches": "log\\*.txt", "Next": "Done"}]), "Done": DONE})),
    ("choice-nested-next", machine({"C": choice([{"Not": {"Variable": "$.x", "IsPresent": True, "Next": "Done"},
                                                  "Next": "Done"}]), "Done": DONE}),
     machine({"C": choice([{"Not": {"Variable": "$.x", "IsPresent": True}, "Next": "Done"}]), "Done": DONE})),
    ("choice-and-empty", machine({"C": choice([{"And": [], "Next": "Done"}]), "Done": DONE}),
     machine({"C": choice([{"And": [{"Variable": "$.x", "IsPresent": True}], "Next": "Done"}]), "Done": DONE})),
    ("choice-variable-not-path", machine({"C": choice([{"Variable": "x", "IsPresent": True, "Next": "Done"}]),
                                          "Done": DONE}),
     machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}]), "Done": DONE})),
    ("choice-variable-not-reference", machine({"C": choice([{"Variable": "$.items[*].ok", "BooleanEquals": True,
                                                                "Next": "Done"}]), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.items[0].ok", "BooleanEquals": True, "Next": "Done"}]), "Done": DONE})),
    ("choice-path-operand-not-reference",
     machine({"C": choice([{"Variable": "$.a", "NumericEqualsPath": "$..limit", "Next": "Done"}]), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.a", "NumericEqualsPath": "$.limits.max", "Next": "Done"}]), "Done": DONE})),
    ("choice-no-path", machine({"C": choice([{"Variable": "$.a", "StringEquals": "$.b", "Next": "Done"}]),
                                "Done": DONE}),
     machine({"C": choice([{"Variable": "$.a", "StringEqualsPath": "$.b", "Next": "Done"}]), "Done": DONE})),
    ("choice-default-missing", machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}],
                                                    default="Dnoe"), "Done": DONE}),
     machine({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}]), "Done": DONE})),
    ("choice-jsonata-no-condition", jsonata({"C": choice([{"Next": "Done"}]), "Done": DONE}),
     jsonata({"C": choice([{"Condition": "{% $states.input.x > 1 %}", "Next": "Done"}]), "Done": DONE})),
    ("choice-jsonata-variable", jsonata({"C": choice([{"Variable": "$.x", "IsPresent": True, "Next": "Done"}]),
                                         "Done": DONE}),
     jsonata({"C": choice([{"Condition": "{% $exists($states.input.x) %}", "Next": "Done"}]), "Done": DONE})),
    ("choice-jsonpath-condition", machine({"C": choice([{"Condition": True, "Next": "Done"}]), "Done": DONE}),
     jsonata({"C": choice([{"Condition": True, "Next": "Done"}]), "Done": DONE})),
    # ---- Parallel ----
    ("parallel-no-branches", machine({"P": {"Type": "Parallel", "End": True}}),
     machine({"P": {"Type": "Parallel", "Branches": [branch({"B": pass_()})], "End": True}})),
    ("parallel-empty-branches", machine({"P": {"Type": "Parallel", "Branches": [], "End": True}}),
     machine({"P": {"Type": "Parallel", "Branches": [branch({"B": pass_()})], "End": True}})),
    ("parallel-branch-startat", machine({"P": {"Type": "Parallel", "Branches": [{"States": {"B": pass_()}}],
                                               "End": True}}),
     machine({"P": {"Type": "Parallel", "Branches": [branch({"B": pass_()})], "End": True}})),
    ("branch-transition-out", machine({"P": {"Type": "Parallel", "Branches": [branch({"B": pass_(Next="Done")})],
                                             "Next": "Done"}, "Done": DONE}),
     machine({"P": {"Type": "Parallel", "Branches": [branch({"B": pass_()})], "Next": "Done"}, "Done": DONE})),
    ("branch-unreachable", machine({"P": {"Type": "Parallel", "Branches": [branch({"B": pass_(), "B2": pass_()})],
                                          "End": True}}),
     machine({"P": {"Type": "Parallel", "Branches": [branch({"B": pass_(Next="B2"), "B2": pass_()})],
                    "End": True}})),
    # ---- Map ----
    ("map-no-processor", machine({"M": {"Type": "Map", "End": True}}), machine({"M": mp({"I": pass_()})})),
    ("map-processor-and-iterator", machine({"M": mp({"I": pass_()}, Iterator=branch({"J": pass_()}))}),
     machine({"M": mp({"I": pass_()})})),
    ("map-itemselector-and-parameters", machine({"M": mp({"I": pass_()}, ItemSelector={"v.$": "$$.Map.Item.Value"},
                                                       Parameters={"v.$": "$$.Map.Item.Value"})}),
     machine({"M": mp({"I": pass_()}, ItemSelector={"v.$": "$$.Map.Item.Value"})})),
    ("map-maxconcurrency-exclusive", machine({"M": mp({"I": pass_()}, MaxConcurrency=2, MaxConcurrencyPath="$.n")}),
     machine({"M": mp({"I": pass_()}, MaxConcurrency=2)})),
    ("map-maxconcurrency-negative", machine({"M": mp({"I": pass_()}, MaxConcurrency=-1)}),
     machine({"M": mp({"I": pass_()}, MaxConcurrency=0)})),
    ("map-tolerated-percentage", machine({"M": mp({"I": pass_()}, ToleratedFailurePercentage=150)}),
     machine({"M": mp({"I": pass_()}, ToleratedFailurePercentage=50.5)})),
    ("map-mode", machine({"M": mp({"I": pass_()}, ItemProcessor=dict(branch({"I": pass_()}),
                                                                     ProcessorConfig={"Mode": "PARALLEL"}))}),
     machine({"M": mp({"I": pass_()}, ItemProcessor=dict(branch({"I": pass_()}),
                                                          ProcessorConfig={"Mode": "INLINE"}))})),
    ("map-distributed-execution-type",
     machine({"M": mp({"I": pass_()}, ItemProcessor=dict(branch({"I": pass_()}),
                                                          ProcessorConfig={"Mode": "DISTRIBUTED"}))}),
     machine({"M": mp({"I": pass_()}, ItemProcessor=dict(branch({"I": pass_()}),
                                                          ProcessorConfig={"Mode": "DISTRIBUTED",
                                                                           "ExecutionType": "EXPRESS"}))})),
    ("map-label", machine({"M": mp({"I": pass_()}, Label="my label",
                                   ItemProcessor=dict(branch({"I": pass_()}),
                                                      ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}))}),
     machine({"M": mp({"I": pass_()}, Label="my-label",
                      ItemProcessor=dict(branch({"I": pass_()}),
                                         ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}))})),
    ("map-distributed-only", machine({"M": mp({"I": pass_()}, ItemBatcher={"MaxItemsPerBatch": 10})}),
     machine({"M": mp({"I": pass_()}, ItemBatcher={"MaxItemsPerBatch": 10},
                      ItemProcessor=dict(branch({"I": pass_()}),
                                         ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))})),
    ("map-itembatcher-size", machine({"M": mp({"I": pass_()}, ItemBatcher={"BatchInput": {"k": 1}},
                                              ItemProcessor=dict(branch({"I": pass_()}),
                                                                 ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))}),
     machine({"M": mp({"I": pass_()}, ItemBatcher={"BatchInput": {"k": 1}, "MaxInputBytesPerBatch": 1024},
                      ItemProcessor=dict(branch({"I": pass_()}),
                                         ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))})),
    ("map-reader-max-items", machine({"M": mp({"I": pass_()},
                                              ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                                          "ReaderConfig": {"InputType": "CSV", "MaxItems": 200000000}},
                                              ItemProcessor=dict(branch({"I": pass_()}),
                                                                 ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))}),
     machine({"M": mp({"I": pass_()},
                      ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                  "ReaderConfig": {"InputType": "CSV", "MaxItems": 1000}},
                      ItemProcessor=dict(branch({"I": pass_()}),
                                         ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))})),
    ("map-itembatcher-path", machine({"M": mp({"I": pass_()}, ItemBatcher={"MaxItemsPerBatchPath": "$.sizes[*]"},
                                              ItemProcessor=dict(branch({"I": pass_()}),
                                                                 ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))}),
     machine({"M": mp({"I": pass_()}, ItemBatcher={"MaxItemsPerBatchPath": "$.sizes[0]"},
                      ItemProcessor=dict(branch({"I": pass_()}),
                                         ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))})),
    ("map-result-writer", machine({"M": mp({"I": pass_()},
                                           ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                                         "Parameters": {"Bucket": "b", "Prefix.$": "prefix"},
                                                         "WriterConfig": {"OutputType": "CSV"}},
                                           ItemProcessor=dict(branch({"I": pass_()}),
                                                              ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))}),
     machine({"M": mp({"I": pass_()},
                      ResultWriter={"Resource": "arn:aws:states:::s3:putObject",
                                    "Parameters": {"Bucket": "b", "Prefix.$": "$.prefix"},
                                    "WriterConfig": {"OutputType": "JSONL"}},
                      ItemProcessor=dict(branch({"I": pass_()}),
                                         ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))})),
    ("map-reader-config", machine({"M": mp({"I": pass_()},
                                           ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                                       "Parameters": {"Bucket": "b", "Key": "k.csv"},
                                                       "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                                                                        "CSVDelimiter": "COLON"}},
                                           ItemProcessor=dict(branch({"I": pass_()}),
                                                              ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))}),
     machine({"M": mp({"I": pass_()},
                      ItemReader={"Resource": "arn:aws:states:::s3:getObject",
                                  "Parameters": {"Bucket": "b", "Key": "k.csv"},
                                  "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN",
                                                   "CSVHeaders": ["id", "name"], "CSVDelimiter": "SEMICOLON"}},
                      ItemProcessor=dict(branch({"I": pass_()}),
                                         ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))})),
    ("express-distributed", machine({"M": mp({"I": pass_()}, ItemProcessor=dict(
        branch({"I": pass_()}), ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))}),
     machine({"M": mp({"I": pass_()})}), ["--type", "express"]),
    ("map-iterator-unreachable", machine({"M": {"Type": "Map", "Iterator": branch({"I": pass_(), "J": pass_()}),
                                                "End": True}}),
     machine({"M": {"Type": "Map", "Iterator": branch({"I": pass_(Next="J"), "J": pass_()}), "End": True}})),
    # ---- Retry / Catch ----
    ("retry-states-all-alone", machine({"T": task(Retry=[{"ErrorEquals": ["States.ALL", "States.Timeout"]}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["States.ALL"]}])})),
    ("retry-states-all-last", machine({"T": task(Retry=[{"ErrorEquals": ["States.ALL"]},
                                                        {"ErrorEquals": ["States.Timeout"]}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["States.Timeout"]}, {"ErrorEquals": ["States.ALL"]}])})),
    ("retry-backoff-rate", machine({"T": task(Retry=[{"ErrorEquals": ["X"], "BackoffRate": 0.5}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["X"], "BackoffRate": 1.5}])})),
    ("retry-interval", machine({"T": task(Retry=[{"ErrorEquals": ["X"], "IntervalSeconds": 0}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["X"], "IntervalSeconds": 1}])})),
    ("retry-max-attempts", machine({"T": task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 2.5}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 0}])})),
    ("retry-max-delay", machine({"T": task(Retry=[{"ErrorEquals": ["X"], "MaxDelaySeconds": 40000000}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["X"], "MaxDelaySeconds": 31622400}])})),
    ("retry-jitter", machine({"T": task(Retry=[{"ErrorEquals": ["X"], "JitterStrategy": "RANDOM"}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["X"], "JitterStrategy": "FULL"}])})),
    ("retry-unknown-field", machine({"T": task(Retry=[{"ErrorEquals": ["X"], "MaxRetries": 3}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["X"], "MaxAttempts": 3}])})),
    ("retry-error-equals-missing", machine({"T": task(Retry=[{"MaxAttempts": 3}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}])})),
    ("retry-error-equals-empty", machine({"T": task(Retry=[{"ErrorEquals": []}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["States.TaskFailed"]}])})),
    ("retry-not-array", machine({"T": task(Retry={"ErrorEquals": ["X"]})}),
     machine({"T": task(Retry=[{"ErrorEquals": ["X"]}])})),
    ("catch-next-missing", machine({"T": task(Catch=[{"ErrorEquals": ["States.ALL"]}]), "F": {"Type": "Fail"}}),
     machine({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "F"}]), "F": {"Type": "Fail"}})),
    ("catch-target-missing", machine({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Fial"}]),
                                      "Fail": {"Type": "Fail"}}),
     machine({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Fail"}]), "Fail": {"Type": "Fail"}})),
    ("catch-states-all-last", machine({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "F"},
                                                        {"ErrorEquals": ["X"], "Next": "F"}]), "F": {"Type": "Fail"}}),
     machine({"T": task(Catch=[{"ErrorEquals": ["X"], "Next": "F"},
                               {"ErrorEquals": ["States.ALL"], "Next": "F"}]), "F": {"Type": "Fail"}})),
    ("catch-resultpath-jsonata", jsonata({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e",
                                                            "Next": "F"}]), "F": {"Type": "Fail"}}),
     jsonata({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}",
                               "Next": "F"}]), "F": {"Type": "Fail"}})),
    ("catch-resultpath-invalid", machine({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$$.e",
                                                            "Next": "F"}]), "F": {"Type": "Fail"}}),
     machine({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "F"}]),
              "F": {"Type": "Fail"}})),
    ("unknown-states-error", machine({"T": task(Retry=[{"ErrorEquals": ["States.Throttled"]}])}),
     machine({"T": task(Retry=[{"ErrorEquals": ["Lambda.TooManyRequestsException"]}])})),
    # ---- JSONata ----
    ("jsonata-syntax", jsonata({"A": pass_(Output={"total": "{% $sum($states.input.items.price %}"})}),
     jsonata({"A": pass_(Output={"total": "{% $sum($states.input.items.price) %}"})})),
    ("jsonata-newer-operator", jsonata({"A": pass_(Output="{% $states.input.name ?? 'anonymous' %}")}),
     jsonata({"A": pass_(Output="{% $exists($states.input.name) ? $states.input.name : 'anonymous' %}")})),
    ("jsonata-condition-syntax", jsonata({"C": choice([{"Condition": "{% $states.input.n > %}", "Next": "Done"}]),
                                          "Done": DONE}),
     jsonata({"C": choice([{"Condition": "{% $states.input.n > 1 %}", "Next": "Done"}]), "Done": DONE})),
    ("jsonata-top-level-dollar", jsonata({"A": pass_(Output="{% $.x %}")}),
     jsonata({"A": pass_(Output="{% $states.input.x %}")})),
    ("jsonata-top-level-name", jsonata({"A": pass_(Output={"phone": "{% phone %}"})}),
     jsonata({"A": pass_(Output={"phone": "{% $states.input.phone %}"})})),
    ("jsonata-top-level-in-call", jsonata({"A": pass_(Output={"n": "{% $count(items) %}"})}),
     jsonata({"A": pass_(Output={"n": "{% $count($states.input.items[price > 10]) %}"})})),
    ("jsonata-result-in-arguments", jsonata({"T": task(Arguments={"x": "{% $states.result %}"})}),
     jsonata({"T": task(Output={"x": "{% $states.result %}"})})),
    ("jsonata-result-in-pass", jsonata({"A": pass_(Output="{% $states.result %}")}),
     jsonata({"A": pass_(Output="{% $states.input %}")})),
    ("jsonata-error-output-outside-catch", jsonata({"T": task(Output="{% $states.errorOutput %}")}),
     jsonata({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}",
                                "Next": "F"}]), "F": {"Type": "Fail"}})),
    ("jsonata-eval", jsonata({"A": pass_(Output="{% $eval('1+1') %}")}),
     jsonata({"A": pass_(Output="{% $parse('2') %}")})),
    ("jsonata-not-expression", jsonata({"A": pass_(Output={"v": " {% 1 + 1 %}"})}),
     jsonata({"A": pass_(Output={"v": "{% 1 + 1 %}"})})),
    ("jsonata-empty", jsonata({"A": pass_(Output="{%  %}")}), jsonata({"A": pass_(Output="{% 0 %}")})),
    ("jsonata-seconds-type", jsonata({"W": {"Type": "Wait", "Seconds": "five", "End": True}}),
     jsonata({"W": {"Type": "Wait", "Seconds": "{% 5 %}", "End": True}})),
    ("jsonata-resource-expression", jsonata({"T": task(Resource="{% 'arn:aws:lambda:us-east-1:123456789012:function:' & $states.input.fn %}")}),
     jsonata({"T": task(Resource=INVOKE, Arguments={"FunctionName": "{% $states.input.fn %}"})})),
    # ---- variables ----
    ("assign-invalid-name", machine({"A": pass_(Assign={"my-var": 1})}), machine({"A": pass_(Assign={"my_var": 1})})),
    ("assign-states-reserved", jsonata({"A": pass_(Assign={"states": 1})}), jsonata({"A": pass_(Assign={"state": 1})})),
    ("assign-duplicate-name", machine({"A": pass_(Assign={"total": 0, "total.$": "$.sum"})}),
     machine({"A": pass_(Assign={"total.$": "$.sum"})})),
    ("assign-not-object", machine({"A": pass_(Assign=["x"])}), machine({"A": pass_(Assign={"x": 1})})),
    ("variable-never-assigned", jsonata({"A": pass_(Output="{% $total %}")}),
     jsonata({"A": pass_(Assign={"total": 0}, Next="B"), "B": pass_(Output="{% $total %}")})),
    ("variable-did-you-mean", machine({"A": pass_(Assign={"total": 0}, Next="B"),
                                       "B": pass_(Parameters={"t.$": "$totl"})}),
     machine({"A": pass_(Assign={"total": 0}, Next="B"), "B": pass_(Parameters={"t.$": "$total"})})),
    ("variable-not-on-path", jsonata({"A": pass_(Output="{% $n %}", Next="B"), "B": pass_(Assign={"n": 1})}),
     jsonata({"A": pass_(Assign={"n": 1}, Next="B"), "B": pass_(Output="{% $n %}")})),
    ("variable-assigned-in-catch", machine({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Next": "F"}],
                                                      Assign={"ok": True}, Next="Done"),
                                            "F": pass_(Parameters={"ok.$": "$ok"}), "Done": DONE}),
     machine({"T": task(Catch=[{"ErrorEquals": ["States.ALL"], "Assign": {"ok": False}, "Next": "F"}],
                        Assign={"ok": True}, Next="Done"),
              "F": pass_(Parameters={"ok.$": "$ok"}), "Done": DONE})),
    ("variable-inner-assigns-outer", machine({"A": pass_(Assign={"n": 1}, Next="P"),
                                              "P": {"Type": "Parallel", "End": True,
                                                    "Branches": [branch({"B": pass_(Assign={"n": 2})})]}}),
     machine({"A": pass_(Assign={"n": 1}, Next="P"),
              "P": {"Type": "Parallel", "End": True,
                    "Branches": [branch({"B": pass_(Assign={"m.$": "States.MathAdd($n, 1)"})})]}})),
    ("variable-distributed-outer", machine({"A": pass_(Assign={"n": 1}, Next="M"),
                                            "M": mp({"I": pass_(Parameters={"n.$": "$n"})},
                                                    ItemProcessor=dict(branch({"I": pass_(Parameters={"n.$": "$n"})}),
                                                                       ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))}),
     machine({"A": pass_(Assign={"n": 1}, Next="M"),
              "M": mp({"I": pass_(Parameters={"n.$": "$n"})}, ItemSelector={"n.$": "$n", "v.$": "$$.Map.Item.Value"},
                      ItemProcessor=dict(branch({"I": pass_(Parameters={"n.$": "$.n"})}),
                                         ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}))})),
]

# Rules also checked in YAML (positions come from libyaml's marks).
YAML_RULES = [
    "next-missing", "unreachable", "no-terminal", "type-invalid", "unknown-field", "next-and-end",
    "task-no-resource", "resource-not-recognized", "heartbeat-not-smaller", "inputpath-invalid",
    "resultpath-context", "dollar-value-not-path", "intrinsic-unknown", "no-dollar", "wait-two",
    "wait-timestamp-format", "choice-operand-type", "choice-default-missing", "parallel-empty-branches",
    "map-tolerated-percentage", "retry-states-all-last", "retry-backoff-rate", "catch-target-missing",
    "jsonata-top-level-name", "jsonata-syntax", "variable-never-assigned", "assign-invalid-name", "http-required",
    "duplicate-state-name",
]


def write(case, files, args, stdin=None):
    d = os.path.join(OUT, case)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    for name, text in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    with open(os.path.join(d, "args"), "w") as f:
        f.write("\n".join(args) + "\n")
    if stdin is not None:
        with open(os.path.join(d, "stdin"), "w") as f:
            f.write(stdin)


def as_json(d):
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def as_yaml(d):
    return yaml.safe_dump(d, sort_keys=False, default_flow_style=False, allow_unicode=True)


def main():
    only = set(sys.argv[2:]) if sys.argv[1:2] == ["--only"] else None
    by_name = {}
    for r in RULES:
        name, bad, good = r[0], r[1], r[2]
        extra = r[3] if len(r) > 3 else []
        by_name[name] = r
        if only and name not in only:
            continue
        write(name, {"bad.asl.json": as_json(bad)}, ["validate"] + extra + ["bad.asl.json"])
        write(name + "-fixed", {"good.asl.json": as_json(good)}, ["validate"] + extra + ["good.asl.json"])
    for name in YAML_RULES:
        r = by_name[name]
        extra = r[3] if len(r) > 3 else []
        if only and name not in only:
            continue
        write(name + "-yaml", {"bad.asl.yaml": as_yaml(r[1])}, ["validate"] + extra + ["bad.asl.yaml"])
    cli_cases(by_name, only)


def cli_cases(by_name, only):
    bad = as_json(by_name["next-missing"][1])
    warn = as_json(by_name["no-dollar"][1])
    good = as_json(by_name["next-missing"][2])
    many = as_json(machine({"T": task(TimeoutSeconds=0, HeartbeatSeconds=0,
                                      Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}])}))
    cases = {
        "format-json": ({"bad.asl.json": bad, "good.asl.json": good, "warn.asl.json": warn},
                        ["validate", "--format", "json", "bad.asl.json", "good.asl.json", "warn.asl.json"]),
        "format-aws": ({"bad.asl.json": bad}, ["validate", "--format", "aws", "bad.asl.json"]),
        "format-aws-ok": ({"good.asl.json": good}, ["validate", "--format", "aws", "good.asl.json"]),
        "format-aws-several": ({"bad.asl.json": bad, "good.asl.json": good},
                               ["validate", "--format", "aws", "bad.asl.json", "good.asl.json"]),
        "format-aws-array-location": ({"many.asl.json": many}, ["validate", "--format", "aws", "many.asl.json"]),
        "format-aws-no-end-state": ({"loop.asl.json": as_json(by_name["no-terminal"][1])},
                                    ["validate", "--format", "aws", "loop.asl.json"]),
        "format-aws-invalid-json": ({"broken.asl.json": '{"StartAt": "A", "States": {\n'},
                                    ["validate", "--format", "aws", "broken.asl.json"]),
        "format-sarif": ({"bad.asl.json": bad, "warn.asl.json": warn},
                         ["validate", "--format", "sarif", "bad.asl.json", "warn.asl.json"]),
        "format-github": ({"bad.asl.json": bad, "warn.asl.json": warn},
                          ["validate", "--format", "github", "bad.asl.json", "warn.asl.json"]),
        "format-unknown": ({"bad.asl.json": bad}, ["validate", "--format", "xml", "bad.asl.json"]),
        "severity-error": ({"warn.asl.json": warn, "bad.asl.json": bad},
                           ["validate", "--severity", "error", "warn.asl.json", "bad.asl.json"]),
        "severity-error-aws": ({"warn.asl.json": warn}, ["validate", "--format", "aws", "--severity", "error",
                                                         "warn.asl.json"]),
        "warnings-exit-0": ({"warn.asl.json": warn}, ["validate", "warn.asl.json"]),
        "strict": ({"warn.asl.json": warn}, ["validate", "--strict", "warn.asl.json"]),
        "max-results": ({"many.asl.json": many}, ["validate", "--max-results", "2", "many.asl.json"]),
        "max-results-aws": ({"many.asl.json": many},
                            ["validate", "--format", "aws", "--max-results", "1", "many.asl.json"]),
        "all-diagnostics": ({"many.asl.json": many}, ["validate", "many.asl.json"]),
        "stdin": ({}, ["validate", "-"]),
        "stdin-yaml": ({}, ["validate", "-"]),
        "no-files": ({}, ["validate"]),
        "directory-needs-r": ({"defs/a.asl.json": good}, ["validate", "defs"]),
        "recursive": ({"defs/a.asl.json": good, "defs/sub/b.asl.json": bad, "defs/sub/c.asl.yaml": as_yaml(by_name["no-terminal"][1]),
                       "defs/package.json": '{"name": "not-asl"}\n', "defs/README.md": "# notes\n",
                       "defs/queue.yaml": "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"},
                      ["validate", "-r", "defs"]),
        "recursive-json": ({"defs/a.asl.json": good, "defs/sub/b.asl.json": bad, "defs/other.yaml": "key: value\n"},
                           ["validate", "-r", "--format", "json", "defs"]),
        "unreadable-json": ({"broken.asl.json": '{"StartAt": "A",\n  "States": {"A": {"Type": "Pass" "End": true}}}\n'},
                            ["validate", "broken.asl.json"]),
        "unreadable-yaml": ({"broken.asl.yaml": "StartAt: A\nStates:\n  A: {Type: Pass\n"},
                            ["validate", "broken.asl.yaml"]),
        "missing-file": ({}, ["validate", "nope.asl.json"]),
        "highest-exit-wins": ({"bad.asl.json": bad, "broken.asl.json": "{"},
                              ["validate", "bad.asl.json", "broken.asl.json"]),
        "duplicate-key": ({"dup.asl.json": '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "End": true},\n    "A": {"Type": "Succeed"}\n  }\n}\n'},
                          ["validate", "dup.asl.json"]),
        "type-unknown": ({"good.asl.json": good}, ["validate", "--type", "fast", "good.asl.json"]),
        "help": ({}, ["validate", "--help"]),
        "template-cfn": ({"template.yaml": CFN_TEMPLATE}, ["validate", "template.yaml"]),
        "template-logical-id": ({"template.yaml": CFN_TEMPLATE},
                                ["validate", "--logical-id", "Good", "template.yaml"]),
        "template-sam-express": ({"template.yaml": SAM_TEMPLATE}, ["validate", "template.yaml"]),
        "placeholder-resource": ({"wf.asl.json": as_json(machine({"T": task(Resource="${WorkFunctionArn}",
                                                                             TimeoutSeconds="${Timeout}")}))},
                                 ["validate", "wf.asl.json"]),
        "placeholder-bad-resource": ({"wf.asl.json": as_json(machine({"T": task(Resource="lambda:${Name}")}))},
                                     ["validate", "wf.asl.json"]),
        "color-always": ({"bad.asl.json": bad}, ["validate", "--color", "always", "bad.asl.json"]),
        "jsonata-syntax-position": ({"block.asl.yaml": JSONATA_BLOCKS, "escaped.asl.json": JSONATA_ESCAPED},
                                    ["validate", "block.asl.yaml", "escaped.asl.json"]),
    }
    stdin = {"stdin": bad, "stdin-yaml": as_yaml(by_name["unreachable"][1])}
    for name, (files, args) in cases.items():
        if only and name not in only:
            continue
        write(name, {}, args, stdin.get(name))
        for path, text in files.items():
            full = os.path.join(OUT, name, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)


# JSONata syntax errors are placed inside the string: across escapes and
# in YAML block scalars, the error's line and column are in the source.
JSONATA_BLOCKS = """\
QueryLanguage: JSONata
StartAt: A
States:
  A:
    Type: Pass
    Output:
      literal: |-
        {% $sum(
             $states.input.items.price
           %}
      folded: >-
        {% $states.input.a

        +
        %}
      double: "{% \\"a\\" & \\u00e9 & ) %}"
    End: true
"""

JSONATA_ESCAPED = '''{
  "QueryLanguage": "JSONata",
  "StartAt": "A",
  "States": {
    "A": {
      "Type": "Pass",
      "Output": "{% \\"x\\" & \\u00e9\\t & ) %}",
      "End": true
    }
  }
}
'''

CFN_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Good:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
          A:
            Type: Pass
            End: true
  Broken:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {
          "StartAt": "Call",
          "States": {
            "Call": {
              "Type": "Task",
              "Resource": "${WorkFunction.Arn}",
              "Next": "Dnoe"
            },
            "Done": {"Type": "Succeed"}
          }
        }
  WorkFunction:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
"""

SAM_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      Definition:
        StartAt: Notify
        States:
          Notify:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage.waitForTaskToken
            Parameters:
              QueueUrl: !Ref Queue
              MessageBody:
                token.$: $$.Task.Token
            End: true
"""

if __name__ == "__main__":
    main()
